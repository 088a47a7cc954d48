using FlexyPe.Notifier.Apis;
using FlexyPe.Notifier.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// Every error, a 404 included, answers problem+json.
app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapMessageRequestsApi();
app.MapMessagesApi();
app.MapSuppressionsApi();
app.MapUnsubscribeApi();
app.MapClicksApi();

app.Run();
