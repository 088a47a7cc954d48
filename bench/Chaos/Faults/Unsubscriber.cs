using System.Security.Cryptography;
using System.Text;
using FlexyPe.Chaos.Stack;

namespace FlexyPe.Chaos.Faults;

/// <summary>
/// Shoppers who unsubscribe: a stable share of addresses clicks one-click unsubscribe (RFC 8058, the link in
/// <c>List-Unsubscribe</c>) in the first email the SMTP server accepts for them, retrying while Notifier is down.
/// </summary>
public sealed class Unsubscriber(DeployedStack stack, double rate)
{
    private readonly HashSet<string> done = new(StringComparer.OrdinalIgnoreCase);
    private int seen;

    public int Unsubscribed => done.Count;

    public static bool Chooses(string address, double rate)
        => rate > 0 && BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes("unsubscribe:" + address.ToLowerInvariant())), 0) / (double)uint.MaxValue < rate;

    public async Task RunAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (!ct.IsCancellationRequested)
        {
            var journal = JournalSmtpServer.Read(stack.JournalPath);
            foreach (var entry in journal.Skip(seen).Where(e => Chooses(e.To, rate) && !done.Contains(e.To)))
            {
                if (entry.ListUnsubscribe?.Split(',').Select(p => p.Trim().Trim('<', '>')).FirstOrDefault(p => p.StartsWith("http", StringComparison.Ordinal)) is not { } link)
                {
                    continue;
                }
                try
                {
                    using var response = await http.PostAsync(link, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), ct);
                    if (response.IsSuccessStatusCode)
                    {
                        done.Add(entry.To);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Notifier is down: the next round tries again (from the same place in the journal).
                    journal = journal.Take(seen).ToList();
                    break;
                }
            }
            seen = Math.Max(seen, journal.Count);
            try
            {
                await Task.Delay(300, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
