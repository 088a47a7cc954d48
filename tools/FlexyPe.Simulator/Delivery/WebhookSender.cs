using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using FlexyPe.Simulator.Generation;

namespace FlexyPe.Simulator.Delivery;

/// <summary>Delivers events as FlexyPe does: the three headers, the secret, a 10 s limit, and retries on any non-200.</summary>
public sealed class WebhookSender(HttpClient http, DeliveryOptions options, DeliveryCounters counters, TimeProvider? time = null)
{
    private readonly TimeProvider time = time ?? TimeProvider.System;
    private readonly long started = Stopwatch.GetTimestamp();

    /// <summary>The <see cref="Stopwatch"/> timestamp that attempts' <c>AtMs</c> count from.</summary>
    public long Started => started;

    public DeliveryOptions Options => options;
    public DeliveryCounters Counters => counters;

    /// <summary>An <see cref="HttpClient"/> sized for <paramref name="concurrency"/> connections, without its own timeout.</summary>
    public static HttpClient CreateClient(int concurrency) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = Math.Max(1, concurrency),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    /// <summary>One delivery with every retry the schedule allows.</summary>
    public async Task<DeliveryRecord> DeliverAsync(SimulatedEvent e, CancellationToken cancellationToken)
    {
        var record = new DeliveryRecord();
        var schedule = options.RetrySchedule;
        for (var attempt = 0; ; attempt++)
        {
            var planned = attempt == 0 ? TimeSpan.Zero : schedule[attempt - 1];
            if (attempt > 0)
            {
                counters.RetryWaiting(1);
                try
                {
                    await Task.Delay(planned, time, cancellationToken);
                }
                finally
                {
                    counters.RetryWaiting(-1);
                }
            }

            var result = await AttemptAsync(e, cancellationToken);
            record.Attempts.Add(result with { Number = attempt + 1, PlannedDelayMs = planned.TotalMilliseconds });
            if (result.Status == 200)
            {
                record.Status = DeliveryRecord.Acknowledged;
                record.AcknowledgedAsDuplicate = result.AcknowledgedAsDuplicate;
                counters.DeliveryAcknowledged(result.AcknowledgedAsDuplicate == true);
                return record;
            }
            if (attempt >= schedule.Count)
            {
                record.Status = DeliveryRecord.Failed;
                counters.DeliveryFailed();
                return record;
            }
        }
    }

    /// <summary>One HTTP attempt. Never throws for a failed delivery: the failure is in the record.</summary>
    public async Task<AttemptRecord> AttemptAsync(SimulatedEvent e, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Target)
        {
            Content = new StringContent(e.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-Flexype-Authorization", options.Secret);
        request.Headers.TryAddWithoutValidation("X-Event-Id", e.EventId);
        if (e.VersionHeader is { } version)
        {
            request.Headers.TryAddWithoutValidation("X-Webhook-Version", version);
        }

        var at = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var sentAt = Stopwatch.GetTimestamp();
        counters.AttemptSent();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var status = (int)response.StatusCode;
            bool? duplicate = null;
            if (status == 200)
            {
                duplicate = DuplicateFlag(await response.Content.ReadAsByteArrayAsync(timeout.Token));
            }
            else
            {
                counters.AttemptFailed();
            }
            return new AttemptRecord(0, at, 0, status, null, duplicate, Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds)
            {
                RetryAfter = response.Headers.RetryAfter is not null,
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            counters.AttemptFailed();
            return new AttemptRecord(0, at, 0, null, "timeout", null, Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds);
        }
        catch (HttpRequestException ex)
        {
            counters.AttemptFailed();
            return new AttemptRecord(0, at, 0, null, ex.HttpRequestError.ToString(), null, Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds);
        }
    }

    private static bool? DuplicateFlag(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("duplicate", out var flag)
                && flag.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? flag.GetBoolean()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
