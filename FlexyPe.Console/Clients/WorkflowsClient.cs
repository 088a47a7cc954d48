using FlexyPe.Console.Accounts;
using FlexyPe.Console.Telemetry;

namespace FlexyPe.Console.Clients;

/// <summary>Workflows' API through service discovery (<c>http://workflows</c>): sequences, enrollments, stats, stores.</summary>
public sealed class WorkflowsClient(HttpClient http, SignedInUser user, ConsoleTelemetry telemetry, ILogger<WorkflowsClient> logger)
    : ServiceClient(http, user, telemetry, logger, "Workflows")
{
    public Task<ApiResult<List<SequenceView>>> SequencesAsync(CancellationToken ct = default)
        => GetAsync<List<SequenceView>>("/api/sequences", ct);

    public Task<ApiResult<SequenceView>> SequenceAsync(string key, CancellationToken ct = default)
        => GetAsync<SequenceView>($"/api/sequences/{Segment(key)}", ct);

    public Task<ApiResult<List<SequenceView>>> VersionsAsync(string key, CancellationToken ct = default)
        => GetAsync<List<SequenceView>>($"/api/sequences/{Segment(key)}/versions", ct);

    public Task<ApiResult<SequenceView>> CreateSequenceAsync(SequenceInput input, CancellationToken ct = default)
        => ChangeAsync<SequenceView>(HttpMethod.Post, "/api/sequences", input, ConsoleRoles.CanEdit, ct);

    public Task<ApiResult<SequenceVersionAdded>> UpdateSequenceAsync(string key, SequenceInput input, CancellationToken ct = default)
        => ChangeAsync<SequenceVersionAdded>(HttpMethod.Put, $"/api/sequences/{Segment(key)}", input, ConsoleRoles.CanEdit, ct);

    public Task<ApiResult<PreviewView>> PreviewAsync(string key, int step, PreviewRequest request, CancellationToken ct = default)
        => QueryAsync<PreviewView>($"/api/sequences/{Segment(key)}/steps/{step}/preview", request, ct);

    /// <summary>Renders an unsaved step (the live preview); template problems come back with their line and column.</summary>
    public Task<ApiResult<PreviewView>> PreviewDraftAsync(DraftPreviewRequest request, CancellationToken ct = default)
        => QueryAsync<PreviewView>("/api/previews", request, ct);

    /// <summary>Sends an unsaved step, rendered as the preview shows it, to one address.</summary>
    public Task<ApiResult<TestSendView>> TestSendDraftAsync(DraftTestSendRequest request, CancellationToken ct = default)
        => ChangeAsync<TestSendView>(HttpMethod.Post, "/api/previews/test-send", request, ConsoleRoles.CanEdit, ct);

    /// <summary>Events Workflows has taken, newest first: a real shopper's event to preview against.</summary>
    public Task<ApiResult<List<ReceivedEventSummary>>> ReceivedEventsAsync(string? type, string? email, int limit = 20, CancellationToken ct = default)
        => GetAsync<List<ReceivedEventSummary>>("/api/events" + Query(("type", type), ("email", email), ("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture))), ct);

    public Task<ApiResult<TestSendView>> TestSendAsync(string key, int step, TestSendRequest request, CancellationToken ct = default)
        => ChangeAsync<TestSendView>(HttpMethod.Post, $"/api/sequences/{Segment(key)}/steps/{step}/test-send", request, ConsoleRoles.CanEdit, ct);

    public Task<ApiResult<List<EnrollmentSummary>>> EnrollmentsAsync(
        string? storeId = null, string? email = null, string? phone = null, string? subjectKey = null, string? sequence = null,
        string? state = null, int limit = 100, CancellationToken ct = default)
        => GetAsync<List<EnrollmentSummary>>("/api/enrollments" + Query(
            ("store_id", storeId), ("email", email), ("phone", phone), ("subject_key", subjectKey), ("sequence", sequence),
            ("state", state), ("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture))), ct);

    public Task<ApiResult<EnrollmentView>> EnrollmentAsync(Guid id, CancellationToken ct = default)
        => GetAsync<EnrollmentView>($"/api/enrollments/{id}", ct);

    /// <summary>Per sequence and step over the days <paramref name="from"/> to <paramref name="to"/>, both included (UTC).</summary>
    public Task<ApiResult<List<SequenceStats>>> SequenceStatsAsync(string? storeId, DateOnly from, DateOnly to, CancellationToken ct = default)
        => GetAsync<List<SequenceStats>>("/api/stats/sequences" + Query(("store_id", storeId), ("from", Iso(from)), ("to", Iso(to.AddDays(1)))), ct);

    /// <summary>Per day from <paramref name="from"/> to <paramref name="to"/>, both included (UTC).</summary>
    public Task<ApiResult<List<DailyStats>>> DailyStatsAsync(string? storeId, DateOnly from, DateOnly to, CancellationToken ct = default)
        => GetAsync<List<DailyStats>>("/api/stats/daily" + Query(("store_id", storeId), ("from", Iso(from)), ("to", Iso(to.AddDays(1)))), ct);

    public Task<ApiResult<List<StoreSummary>>> StoresAsync(CancellationToken ct = default)
        => GetAsync<List<StoreSummary>>("/api/stores", ct);

    public Task<ApiResult<StoreSettingsView>> StoreSettingsAsync(string storeId, CancellationToken ct = default)
        => GetAsync<StoreSettingsView>($"/api/stores/{Segment(storeId)}/settings", ct);

    public Task<ApiResult<StoreSettingsView>> SaveStoreSettingsAsync(string storeId, StoreSettingsValues settings, CancellationToken ct = default)
        => ChangeAsync<StoreSettingsView>(HttpMethod.Put, $"/api/stores/{Segment(storeId)}/settings", settings, ConsoleRoles.Admin, ct);

    // The API's period is from (inclusive) to (exclusive), as instants; a day starts at midnight UTC.
    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "T00:00:00Z";
}
