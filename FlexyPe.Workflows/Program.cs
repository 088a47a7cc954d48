using FlexyPe.Workflows.Apis;
using FlexyPe.Workflows.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapWorkflowsApi();

app.Run();
