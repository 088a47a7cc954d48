// The framework's ceiling on this machine: Kestrel and a minimal API endpoint that answers 200 and does nothing
// else (the request body is drained by Kestrel, not parsed). Bound to 127.0.0.1 only. bench/run.sh measures it with
// the same wrk script and payloads as Ingest and the reference handler.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls(Environment.GetEnvironmentVariable("CEILING_URL") ?? "http://127.0.0.1:5900");

var app = builder.Build();
app.MapPost("/webhooks/flexype/{kind?}", () => TypedResults.Ok());
app.Run();
