using FlexyPe.Ingest.Apis;
using FlexyPe.Ingest.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// Every error, a 404 included, answers problem+json.
app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapWebhooksApi();
app.MapEventsApi();

app.Run();
