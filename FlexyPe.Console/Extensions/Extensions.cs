using FlexyPe.Console.Accounts;
using FlexyPe.Console.Clients;
using FlexyPe.Console.Infrastructure;
using FlexyPe.Console.Telemetry;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.FluentUI.AspNetCore.Components;

namespace FlexyPe.Console.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Accounts in consoledb, migrated at start-up like every service's database. The first admin and an accepted
        // invitation are transactions of ours, so EF's retrying strategy (which refuses them) stays off.
        builder.AddNpgsqlDbContext<ConsoleDbContext>("consoledb",
            settings => settings.DisableRetry = true,
            options => options.UseSnakeCaseNamingConvention());
        builder.Services.AddMigration<ConsoleDbContext>();

        builder.Services.AddSingleton<ConsoleTelemetry>();

        // Sign-in cookies and antiforgery tokens are protected with keys every replica and restart can read.
        builder.Services.AddDataProtection().SetApplicationName("FlexyPe.Console").PersistKeysToDbContext<ConsoleDbContext>();

        // ASP.NET Core Identity: cookie sign-in, lock-out after failed attempts, roles admin / marketer / viewer.
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityStateProvider>();
        builder.Services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        builder.Services.AddAuthorization();
        builder.Services.AddIdentityCore<ConsoleUser>(identity =>
            {
                identity.User.RequireUniqueEmail = true;
                // Length over composition rules (NIST SP 800-63B): a long passphrase is fine as it is.
                identity.Password.RequiredLength = 10;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireDigit = false;
                identity.Lockout.MaxFailedAccessAttempts = AccountRules.FailedSignInsBeforeLockout;
                identity.Lockout.DefaultLockoutTimeSpan = AccountRules.LockoutDuration;
                identity.Lockout.AllowedForNewUsers = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ConsoleDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/account/sign-in";
            cookie.LogoutPath = "/account/sign-out";
            cookie.AccessDeniedPath = "/account/access-denied";
            cookie.Cookie.Name = "flexype-console";
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.ExpireTimeSpan = AccountRules.SessionLength;
            cookie.SlidingExpiration = true;
        });
        builder.Services.AddScoped<SignedInUser>();
        builder.Services.AddScoped<FirstAdmin>();
        builder.Services.AddScoped<Invitations>();
        builder.Services.AddScoped<People>();

        // The services' APIs: service discovery, the defaults' resilience, and the admin key (Admin:ApiKey, required at
        // start-up) added on the server. It lives only in the console's configuration; nothing sent to a browser has it.
        builder.Services.AddAdminApiKey();
        builder.Services.AddHttpClient<WorkflowsClient>(http => http.BaseAddress = new Uri("http://workflows")).AddAdminApiKey();
        builder.Services.AddHttpClient<IngestClient>(http => http.BaseAddress = new Uri("http://ingest")).AddAdminApiKey();
        builder.Services.AddHttpClient<NotifierClient>(http => http.BaseAddress = new Uri("http://notifier")).AddAdminApiKey();

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
    }
}
