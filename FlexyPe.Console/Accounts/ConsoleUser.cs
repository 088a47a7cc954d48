using Microsoft.AspNetCore.Identity;

namespace FlexyPe.Console.Accounts;

/// <summary>A person who signs in to the console. Their email is their user name.</summary>
public sealed class ConsoleUser : IdentityUser
{
    /// <summary>The name shown in the console and recorded with every change they make.</summary>
    public string? DisplayName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Who invited them (the first admin has none).</summary>
    public string? InvitedBy { get; set; }
}
