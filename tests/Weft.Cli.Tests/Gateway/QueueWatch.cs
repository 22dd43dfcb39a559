// Watches the replicas of the gateway load test through their own /metrics (weft_queue_depth, weft_busy_slots): a
// moment when one replica has requests waiting while another that is up has nothing to do is a balancing fault.
using System.Diagnostics;
using System.Globalization;

namespace Weft.Cli.Tests.Gateway;

public sealed class QueueWatch(IReadOnlyList<(string Name, ServeProcess Process)> replicas, Func<string, bool> inService)
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(200);

    public int Samples { get; private set; }
    public int Faults { get; private set; }
    /// <summary>The longest run of samples in a row, in seconds, with a replica idle while another queued.</summary>
    public double LongestFaultSeconds { get; private set; }
    public string? WorstFault { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        var run = new Stopwatch();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            while (!stop.IsCancellationRequested)
            {
                string? fault = await SampleAsync(http, stop);
                if (fault == null) run.Reset();
                else
                {
                    Faults++;
                    if (!run.IsRunning) run.Start();
                    if (run.Elapsed.TotalSeconds > LongestFaultSeconds) (LongestFaultSeconds, WorstFault) = (run.Elapsed.TotalSeconds, fault);
                }
                await Task.Delay(Every, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    private async Task<string?> SampleAsync(HttpClient http, CancellationToken stop)
    {
        var states = new List<(string Name, double Queue, double Busy)>();
        foreach (var (name, p) in replicas)
        {
            if (!p.Running || !inService(name)) continue;
            try
            {
                string text = await http.GetStringAsync(new Uri(p.BaseAddress, "metrics"), stop);
                states.Add((name, Gauge(text, "weft_queue_depth"), Gauge(text, "weft_busy_slots")));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested) { } // killed between the check and the call
        }
        Samples++;
        var queued = states.FirstOrDefault(s => s.Queue > 0);
        var idle = states.FirstOrDefault(s => s.Queue == 0 && s.Busy == 0);
        return queued.Name != null && idle.Name != null ? $"{queued.Name} had {queued.Queue} waiting while {idle.Name} was idle" : null;
    }

    private static double Gauge(string metrics, string name)
    {
        foreach (string line in metrics.Split('\n'))
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
                return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"no {name} in /metrics");
    }
}
