using FlexyPe.Ingest.Apis;
using FlexyPe.Ingest.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseForwardedHeaders();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapWebhooksApi();
app.MapEventsApi();

app.Run();
