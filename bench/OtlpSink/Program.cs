// Where the benchmark's "deployed" Ingest, Workflows and Notifier send their telemetry (OTLP over HTTP/protobuf): it
// reads each export and answers an empty, successful export response, keeping nothing, the way a collector on another
// machine costs the services nothing but the export itself. Its own CPU is counted with theirs. 127.0.0.1 only.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls(Environment.GetEnvironmentVariable("OTLP_SINK_URL") ?? "http://127.0.0.1:4318");

var app = builder.Build();
long exports = 0;
app.MapPost("/v1/{signal}", async (HttpRequest request) =>
{
    await request.Body.CopyToAsync(Stream.Null);
    Interlocked.Increment(ref exports);
    // An empty Export*ServiceResponse: the protobuf encoding of a message with no fields is zero bytes.
    return Results.Bytes([], "application/x-protobuf");
});
app.MapGet("/exports", () => Interlocked.Read(ref exports));
app.Run();
