using FlexyPe.Console.Accounts;
using FlexyPe.Console.Components;
using FlexyPe.Console.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// A failure shows the console's error page, an unknown address its not-found page, inside the layout.
app.UseExceptionHandler("/error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found");
app.UseAntiforgery();

app.MapDefaultEndpoints();
app.MapStaticAssets();
app.MapAccountEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode().AnswerHeadAsGet();

app.Run();
