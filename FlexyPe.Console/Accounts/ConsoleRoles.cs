namespace FlexyPe.Console.Accounts;

/// <summary>
/// What a person may do. Admin: everything, including store settings and people. Marketer: sequences, deliveries and
/// events. Viewer: reads every page and changes nothing.
/// </summary>
public static class ConsoleRoles
{
    public const string Admin = "admin";
    public const string Marketer = "marketer";
    public const string Viewer = "viewer";

    public static readonly string[] All = [Admin, Marketer, Viewer];

    /// <summary>Roles that may change sequences, deliveries (resend, suppressions) and replay events.</summary>
    public const string CanEdit = Admin + "," + Marketer;

    public static string Describe(string role) => role switch
    {
        Admin => "Admin: everything, including store settings and people",
        Marketer => "Marketer: sequences, deliveries and events",
        Viewer => "Viewer: sees everything, changes nothing",
        _ => role,
    };
}
