using System.Net.Http.Headers;

namespace FlexyPe.Outbox;

/// <summary>For senders whose receiver takes one JSON body per request.</summary>
public static class OutboxHttp
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    /// <summary>
    /// POSTs each row's payload to <paramref name="uri"/>, one after another; a 2xx is delivered (receivers answer a
    /// repeat with 2xx too), anything else failed with its status. With one row per batch (the default), the row's
    /// attempt span is current, so the request is its child and carries its trace context.
    /// </summary>
    public static async Task<IReadOnlyList<OutboxOutcome>> PostEachAsync(
        HttpClient http, string uri, IReadOnlyList<OutboxDelivery> batch, CancellationToken cancellationToken)
    {
        var outcomes = new OutboxOutcome[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri)
            {
                Content = new StringContent(batch[i].Message.Payload ?? "null", Json),
            };
            using var response = await http.SendAsync(request, cancellationToken);
            outcomes[i] = response.IsSuccessStatusCode ? OutboxOutcome.Delivered
                : IsAboutTheContent(response.StatusCode) ? OutboxOutcome.Refused($"HTTP {(int)response.StatusCode}")
                : OutboxOutcome.Failed($"HTTP {(int)response.StatusCode}");
        }
        return outcomes;
    }

    /// <summary>
    /// The receiver refuses the body itself (400, 413, 422): the same body will be refused again. Any other answer (a
    /// missing key, a route not there yet, 429, 5xx) may change, so it is tried again.
    /// </summary>
    public static bool IsAboutTheContent(System.Net.HttpStatusCode status)
        => status is System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.RequestEntityTooLarge or System.Net.HttpStatusCode.UnprocessableEntity;
}
