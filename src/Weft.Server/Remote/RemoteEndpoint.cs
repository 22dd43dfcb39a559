// The live state of one endpoint: up or out, requests under way, free slots when it tells them, and its counters.
namespace Weft.Server.Remote;

public sealed class RemoteEndpoint(EndpointSpec spec) : IPoolMember
{
    /// <summary>Consecutive 5xx answers that take an endpoint out; a refused or broken connection takes it out at once.</summary>
    public const int FailuresToEject = 3;

    private int _outstanding;
    private int _consecutiveFailures;
    private long _requests;
    private long _errors;
    private long _latencyTicks;
    private volatile bool _up = true;
    private volatile IReadOnlyList<string> _discovered = [];

    public EndpointSpec Spec { get; internal set; } = spec;
    public string Name => Spec.Name;

    /// <summary>Taken out by failed requests or probes; the health probe brings it back.</summary>
    public bool Up => _up;
    public int Outstanding => Volatile.Read(ref _outstanding);
    /// <summary>Idle slots it reported (llama-server's /slots) at the last probe; null when it tells none.</summary>
    public int? FreeSlots { get; internal set; }
    /// <summary>Whether its /slots is worth asking again (false once it answered anything but a list).</summary>
    internal bool HasSlotsEndpoint { get; set; } = true;
    /// <summary>The models it serves: the file's list, else what its /v1/models said at the last probe.</summary>
    public IReadOnlyList<string> Models => Spec.Models ?? _discovered;
    /// <summary>Why it is out, or what its last probe found amiss (e.g. the key refused); null when all is well.</summary>
    public string? Problem { get; internal set; }

    public long Requests => Interlocked.Read(ref _requests);
    public long Errors => Interlocked.Read(ref _errors);
    public TimeSpan Latency => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));

    internal void Discovered(IReadOnlyList<string> models) => _discovered = models;

    internal void Begin()
    {
        Interlocked.Increment(ref _outstanding);
        Interlocked.Increment(ref _requests);
        if (FreeSlots is > 0 and var f) FreeSlots = f - 1; // until the next probe says otherwise
    }

    void IPoolMember.Begin() => Begin();

    internal void End(TimeSpan elapsed)
    {
        Interlocked.Decrement(ref _outstanding);
        Interlocked.Add(ref _latencyTicks, elapsed.Ticks);
    }

    /// <summary>An answer came through: the failure streak ends.</summary>
    internal void Succeeded() => Volatile.Write(ref _consecutiveFailures, 0);

    /// <param name="connection">the connection failed (refused, reset, cut mid-answer): out at once</param>
    internal void Failed(string why, bool connection)
    {
        Interlocked.Increment(ref _errors);
        int streak = Interlocked.Increment(ref _consecutiveFailures);
        if (connection || streak >= FailuresToEject) TakeOut(why);
    }

    /// <summary>An answer passed on that was an error of the caller's (4xx): counted, not held against the endpoint.</summary>
    internal void CountError() => Interlocked.Increment(ref _errors);

    internal void TakeOut(string why)
    {
        _up = false;
        Problem = why;
    }

    internal void BringBack(string? problem)
    {
        Volatile.Write(ref _consecutiveFailures, 0);
        Problem = problem;
        _up = true;
    }
}
