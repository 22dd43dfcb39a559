// The live set of remote endpoints: read from endpoints.yaml at start, read again whenever the file changes (endpoints
// are added, changed or removed without a restart; a file with errors leaves the last good set in place), and probed
// every health interval by ReplicaHealth.
using Microsoft.Extensions.Hosting;

namespace Weft.Server.Remote;

public sealed class RemoteEndpoints : IHostedService, IDisposable
{
    /// <summary>How often the file is looked at for changes.</summary>
    public static readonly TimeSpan ReloadPoll = TimeSpan.FromSeconds(1);

    private readonly string? _path;
    private readonly CancellationTokenSource _stop = new();
    private readonly ReplicaHealth _health;
    private volatile IReadOnlyList<RemoteEndpoint> _endpoints = [];
    private (DateTime Written, long Length)? _seen;
    private Task? _loop;
    private DateTime _lastProbe = DateTime.MinValue;

    /// <param name="path">the endpoints file; a missing one is an empty set until it appears</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "the invoker disposes its handler (disposeHandler: true), and Dispose disposes the invoker")]
    public RemoteEndpoints(string? path)
    {
        _path = path;
        Forwarding = new HttpMessageInvoker(ForwardingHandler(), disposeHandler: true);
        _health = new ReplicaHealth();
        if (path != null && File.Exists(path)) Apply(EndpointsFile.Load(path), Stamp(path)); // errors at start stop the server
    }

    public EndpointsConfig Config { get; private set; } = EndpointsConfig.Empty;
    public IReadOnlyList<RemoteEndpoint> All => _endpoints;
    /// <summary>The error of the last reading of the file that failed; null once a reading succeeds.</summary>
    public string? FileProblem { get; private set; }
    /// <summary>Bumped on every successful reading (tests wait on it).</summary>
    public int Generation { get; private set; }

    /// <summary>Connections to the replicas: no proxy, no redirects, no decompression, no cookies (all passed through).</summary>
    private static SocketsHttpHandler ForwardingHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = null,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>The client every forwarded request goes through (YARP wants an HttpMessageInvoker, never an HttpClient).</summary>
    internal HttpMessageInvoker Forwarding { get; }

    /// <summary>The replicas of a model id, up or not; empty when no endpoint serves it.</summary>
    public IReadOnlyList<RemoteEndpoint> Replicas(string model) => [.. _endpoints.Where(e => e.Models.Contains(model))];

    /// <summary>Every remote model id with its replicas, in the file's order.</summary>
    public IEnumerable<(string Id, IReadOnlyList<RemoteEndpoint> Replicas)> Models()
    {
        var endpoints = _endpoints;
        foreach (string id in endpoints.SelectMany(e => e.Models).Distinct(StringComparer.Ordinal))
            yield return (id, endpoints.Where(e => e.Models.Contains(id)).ToList());
    }

    /// <summary>Probes every endpoint now (and so discovers the models of those that list none).</summary>
    public Task ProbeAllAsync(CancellationToken ct = default)
    {
        _lastProbe = DateTime.UtcNow;
        return _health.ProbeAsync(_endpoints, Config.HealthInterval, ct);
    }

    /// <summary>Reads the file again if it changed since the last look; true when a new set was applied.</summary>
    public bool ReloadIfChanged()
    {
        if (_path == null) return false;
        var stamp = Stamp(_path);
        if (stamp == _seen) return false;
        _seen = stamp;
        if (stamp == null)
        {
            Apply(EndpointsConfig.Empty, null);
            return true;
        }
        try
        {
            Apply(EndpointsFile.Load(_path), stamp);
            return true;
        }
        catch (EndpointsFileException e)
        {
            FileProblem = e.Message;
            Console.Error.WriteLine($"weft: {e.Message} (keeping the endpoints read before)");
            return false;
        }
    }

    private void Apply(EndpointsConfig config, (DateTime, long)? stamp)
    {
        var old = _endpoints.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var next = new List<RemoteEndpoint>();
        foreach (var spec in config.Endpoints)
        {
            // an endpoint that kept its name and address keeps its state (health, counters, requests under way)
            if (old.TryGetValue(spec.Name, out var kept) && kept.Spec.Url == spec.Url) { kept.Spec = spec; next.Add(kept); }
            else next.Add(new RemoteEndpoint(spec));
        }
        Config = config;
        _endpoints = next;
        _seen = stamp;
        FileProblem = null;
        Generation++;
        _lastProbe = DateTime.MinValue; // new endpoints are probed at the next tick
    }

    private static (DateTime, long)? Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            do
            {
                if (DateTime.UtcNow - _lastReload >= ReloadPoll) { _lastReload = DateTime.UtcNow; ReloadIfChanged(); }
                if (DateTime.UtcNow - _lastProbe >= Config.HealthInterval) await ProbeAllAsync(ct);
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private DateTime _lastReload = DateTime.MinValue;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_loop != null) await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private int _disposed;

    /// <summary>Idempotent: the container disposes it once per registration (the singleton and the hosted service).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _stop.Dispose();
        _health.Dispose();
        Forwarding.Dispose();
    }
}
