using FlexyPe.Workflows.Stores;

namespace FlexyPe.Workflows.Scheduling;

/// <summary>
/// No message between a store's quiet-hours start and end, in its time zone (wall-clock time, never scaled): a step
/// due then waits until the quiet hours end.
/// </summary>
public static class QuietHours
{
    /// <summary>The earliest instant at or after <paramref name="instant"/> outside the store's quiet hours, in UTC.</summary>
    public static DateTimeOffset NextAllowed(DateTimeOffset instant, EffectiveStoreSettings store)
    {
        var quiet = store.QuietHours;
        if (!quiet.Enabled || quiet.Start == quiet.End)
        {
            return instant.ToUniversalTime();
        }
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(store.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var timeOfDay = TimeOnly.FromDateTime(local.DateTime);
        var wraps = quiet.Start > quiet.End;
        var inQuiet = wraps
            ? timeOfDay >= quiet.Start || timeOfDay < quiet.End
            : timeOfDay >= quiet.Start && timeOfDay < quiet.End;
        if (!inQuiet)
        {
            return instant.ToUniversalTime();
        }
        // The End that closes this quiet period: tomorrow's when the period began today before midnight.
        var endDate = DateOnly.FromDateTime(local.DateTime);
        if (wraps && timeOfDay >= quiet.Start)
        {
            endDate = endDate.AddDays(1);
        }
        var endLocal = endDate.ToDateTime(quiet.End, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(endLocal))
        {
            endLocal = endLocal.AddHours(1);
        }
        // As UTC: the instant is stored in a timestamptz column, which takes offset 0 only.
        return new DateTimeOffset(endLocal, zone.GetUtcOffset(endLocal)).ToUniversalTime();
    }
}
