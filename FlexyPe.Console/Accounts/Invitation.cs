namespace FlexyPe.Console.Accounts;

/// <summary>
/// An admin's invitation: whoever opens its link before it expires chooses a password and joins with its role. Only the
/// token's SHA-256 is stored, so the database alone cannot be used to accept one.
/// </summary>
public sealed class Invitation
{
    public Guid Id { get; set; }
    public required string Email { get; set; }
    public required string Role { get; set; }
    public required string TokenHash { get; set; }
    public required string InvitedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
}
