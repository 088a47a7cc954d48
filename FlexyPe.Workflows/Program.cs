using FlexyPe.Workflows.Apis;
using FlexyPe.Workflows.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// Every error, a 404 included, answers problem+json.
app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapInternalApi();
app.MapSequencesApi();
app.MapEnrollmentsApi();
app.MapStoresApi();
app.MapReceivedEventsApi();
app.MapUpliftApi();
app.MapAssistantApi();

app.Run();
