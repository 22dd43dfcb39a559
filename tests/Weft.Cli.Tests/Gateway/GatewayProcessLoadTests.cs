// Three `weft serve` processes on loopback serving weft-tiny as replicas behind a fourth, the gateway: 16 streaming
// clients, one replica killed midway and started again on its port. Requests not yet streaming at the kill complete
// on another replica, streams the kill cut end with an error event (none hang), no replica idles while another has a
// queue, and the killed replica is out within the health interval and back in after its restart.
// WEFT_GATEWAY_PROCESS_SECONDS sets the length (20 s by default; bench/gateway-load.sh runs 60).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Weft.Cli.Tests.Gateway;

[CollectionDefinition(nameof(GatewayProcessLoadTests), DisableParallelization = true)]
public sealed class GatewayProcessLoadCollection;

/// <remarks>Alone in its collection, so its timings are not other tests' CPU time.</remarks>
[Collection(nameof(GatewayProcessLoadTests))]
public sealed class GatewayProcessLoadTests(ITestOutputHelper output)
{
    private const int Clients = 16;
    private const int MaxTokens = 48;
    private const int SlotsPerReplica = 2;
    private const double HealthInterval = 1.0;
    private const string Model = "weft-tiny";
    /// <summary>Slack on the health interval for a probe slowed by a busy machine (CI runs builds beside).</summary>
    private const double ProbeSlack = 1.0;
    /// <summary>A token read within this long after the kill may have been sent before it.</summary>
    private const double KillSlackMs = 150;

    [Fact]
    public async Task Three_weft_serve_replicas_behind_a_gateway_survive_a_killed_replica()
    {
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("WEFT_GATEWAY_PROCESS_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : 20;
        string dir = Path.Combine(Path.GetTempPath(), "weft-gwload-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(dir, "empty"));
        string models = Path.Combine(AppContext.BaseDirectory, "models");
        var replicas = new List<(string Name, ServeProcess Process)>();
        ServeProcess? gateway = null;
        try
        {
            var starting = Enumerable.Range(1, 3).Select(i => ServeProcess.StartAsync("--models", models, "--no-pulled", "--data", Path.Combine(dir, "r" + i),
                "--parallel", SlotsPerReplica.ToString(CultureInfo.InvariantCulture), "--threads", "1")).ToList();
            foreach (var (p, i) in (await Task.WhenAll(starting)).Select((p, i) => (p, i))) replicas.Add(("r" + (i + 1), p));
            string file = Path.Combine(dir, "endpoints.yaml");
            await File.WriteAllTextAsync(file, EndpointsYaml(replicas));
            gateway = await ServeProcess.StartAsync("--models", Path.Combine(dir, "empty"), "--no-pulled", "--data", Path.Combine(dir, "gw"), "--endpoints", file, "--threads", "1");
            await RunAsync(gateway, replicas, seconds);
        }
        finally
        {
            gateway?.Dispose();
            foreach (var (_, p) in replicas) p.Dispose();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static string EndpointsYaml(IEnumerable<(string Name, ServeProcess Process)> replicas)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"health_interval: {HealthInterval}\nendpoints:\n");
        foreach (var (name, p) in replicas) sb.Append(CultureInfo.InvariantCulture, $"  - {{ name: {name}, url: \"{p.BaseAddress}v1\", models: [{Model}] }}\n");
        return sb.ToString();
    }

    private async Task RunAsync(ServeProcess gateway, List<(string Name, ServeProcess Process)> replicas, double seconds)
    {
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var view = new GatewayView(gateway.BaseAddress, Model);
        using var stop = new CancellationTokenSource();
        var viewing = view.RunAsync(stop.Token);
        foreach (var (name, _) in replicas) await view.WaitAsync(name, up: true, TimeSpan.FromSeconds(15));
        await WarmUpAsync(http, replicas);

        var outcomes = new ConcurrentBag<LoadOutcome>();
        var watch = new QueueWatch(replicas, view.IsUp);
        var clock = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(seconds);
        double killMs = double.MaxValue;
        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < end) outcomes.Add(await LoadClient.StreamAsync(http, Model, MaxTokens, clock, () => killMs));
        })).ToList();
        var watching = watch.RunAsync(stop.Token);

        var (victimName, victim) = replicas[1];
        await Task.Delay(end * 0.4);
        double killStart = clock.Elapsed.TotalMilliseconds;
        victim.Kill();
        killMs = clock.Elapsed.TotalMilliseconds + KillSlackMs;
        double outAfter = await view.WaitAsync(victimName, up: false, TimeSpan.FromSeconds(10));

        await Task.Delay(end * 0.6 - clock.Elapsed is { Ticks: > 0 } wait ? wait : TimeSpan.Zero);
        double restartMs = clock.Elapsed.TotalMilliseconds;
        await victim.StartAsync(); // the same port
        double inAfter = await view.WaitAsync(victimName, up: true, TimeSpan.FromSeconds(10));
        double backMs = clock.Elapsed.TotalMilliseconds;

        await Task.WhenAll(clients).WaitAsync(end + LoadClient.HangLimit + TimeSpan.FromSeconds(10));
        double elapsed = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(viewing, watching);
        double victimFailures = await view.CounterAsync("weft_remote_errors_total", victimName);

        var all = outcomes.ToList();
        var run = new LoadRun(all, elapsed, killStart, restartMs, backMs, outAfter, inAfter, victimFailures, watch);
        output.WriteLine(run.Table(Clients, SlotsPerReplica, MaxTokens, seconds));
        Check(run, victimName);
    }

    /// <summary>Each replica loads the model and compiles its code paths before the clock starts.</summary>
    private static async Task WarmUpAsync(HttpClient gatewayHttp, List<(string Name, ServeProcess Process)> replicas)
    {
        var never = () => double.MaxValue;
        var clock = Stopwatch.StartNew();
        foreach (var (_, p) in replicas)
        {
            using var direct = new HttpClient { BaseAddress = p.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            for (int i = 0; i < 2; i++) Assert.Equal("done", (await LoadClient.StreamAsync(direct, Model, 8, clock, never)).Kind);
        }
        for (int i = 0; i < 3; i++) Assert.Equal("done", (await LoadClient.StreamAsync(gatewayHttp, Model, 8, clock, never)).Kind);
    }

    private static void Check(LoadRun run, string victim)
    {
        Assert.True(run.Failed.Count == 0, "failed or hung: " + string.Join("; ", run.Failed.Take(5)));
        // only streams the victim was sending tokens on at the kill are cut; the rest went to another replica
        Assert.All(run.Cut, o => Assert.True(o.Replica == victim && o.StreamingBeforeKill, $"only streams {victim} was serving at the kill are cut: {o}"));
        Assert.True(run.Cut.Count <= SlotsPerReplica, $"{run.Cut.Count} streams cut; {victim} had {SlotsPerReplica} slots");
        Assert.True(run.Retried >= 1, $"requests waiting on {victim} at the kill went elsewhere ({run.VictimFailures} failures, {run.Cut.Count} cut)");
        Assert.True(run.OutAfter <= HealthInterval + ProbeSlack, $"out after {run.OutAfter:0.00} s");
        Assert.True(run.InAfter <= HealthInterval + ProbeSlack, $"back after {run.InAfter:0.00} s");
        Assert.True(run.All.Count(o => o.Replica == victim && o.StartMs > run.BackMs) > 0, "the restarted replica takes requests again");
        Assert.True(run.Watch.LongestFaultSeconds < 1.0, $"a replica idled while another queued for {run.Watch.LongestFaultSeconds:0.0} s: {run.Watch.WorstFault}");
    }
}
