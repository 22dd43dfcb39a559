// The gateway as the load test sees it from outside: which replicas its GET /v1/models says are up (polled every
// 100 ms), and its per-endpoint counters from GET /metrics.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Weft.Cli.Tests.Gateway;

public sealed class GatewayView(Uri gateway, string model)
{
    private readonly ConcurrentDictionary<string, bool> _up = new();

    public bool IsUp(string replica) => _up.TryGetValue(replica, out bool up) && up;

    public async Task RunAsync(CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var doc = JsonDocument.Parse(await http.GetStringAsync("v1/models", stop));
                    foreach (var m in doc.RootElement.GetProperty("data").EnumerateArray())
                        if (m.GetProperty("id").GetString() == model)
                            foreach (var e in m.GetProperty("meta").GetProperty("endpoints").EnumerateArray())
                                _up[e.GetProperty("name").GetString()!] = e.GetProperty("up").GetBoolean();
                }
                catch (HttpRequestException) { } // a busy gateway: the next poll
                await Task.Delay(100, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    /// <summary>Waits until the replica is up (or out), returning how long that took; fails the test past the limit.</summary>
    public async Task<double> WaitAsync(string replica, bool up, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (IsUp(replica) != up)
        {
            if (clock.Elapsed > limit) Assert.Fail($"the gateway did not mark {replica} {(up ? "up" : "out")} within {limit.TotalSeconds} s");
            await Task.Delay(20);
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>A counter of the gateway's /metrics for one endpoint, e.g. weft_remote_errors_total.</summary>
    public async Task<double> CounterAsync(string name, string endpoint)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(10) };
        string prefix = $"{name}{{endpoint=\"{endpoint}\"}} ";
        foreach (string line in (await http.GetStringAsync("metrics")).Split('\n'))
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"no {prefix.Trim()} in the gateway's /metrics");
    }
}
