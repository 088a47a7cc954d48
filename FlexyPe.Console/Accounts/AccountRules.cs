namespace FlexyPe.Console.Accounts;

public static class AccountRules
{
    /// <summary>Wrong passwords in a row before an account is locked for <see cref="LockoutDuration"/>.</summary>
    public const int FailedSignInsBeforeLockout = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    /// <summary>A signed-in session lasts this long without use (sliding).</summary>
    public static readonly TimeSpan SessionLength = TimeSpan.FromHours(8);
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);
}
