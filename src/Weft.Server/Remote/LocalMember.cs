// This server's own copy of a model pooled with remote replicas of the same id: its requests under way are those the
// gateway sent to it or the larger count its scheduler holds (busy slots and queue), its free slots what of its slots
// (the loaded model's; before it loads --parallel, or 1) they leave. One per model id (LocalMembers).
using System.Collections.Concurrent;
using Weft.Server.Hosting;

namespace Weft.Server.Remote;

/// <param name="slots">--parallel; 0: the loaded model's own count (one until it loads)</param>
public sealed class LocalMember(string id, ModelPool pool, int slots) : IPoolMember
{
    /// <summary>The name the pool gives this server (in X-Weft-Replica and the gateway's counts).</summary>
    public const string LocalName = "local";

    private int _inFlight;
    private long _requests;

    public string Name => LocalName;
    public bool Up => pool.Catalog.Find(id) is { Problem: null };
    public int Outstanding => Math.Max(Volatile.Read(ref _inFlight), Scheduled);
    public int? FreeSlots => Math.Max(0, Slots - Outstanding);
    /// <summary>Requests the pool sent here.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    private int Slots => slots > 0 ? slots : pool.Loaded.FirstOrDefault(m => m.Entry.Id == id)?.SlotCount ?? 1;

    /// <summary>Busy slots and waiting requests of the loaded model (0 until it is loaded).</summary>
    private int Scheduled => pool.Loaded.FirstOrDefault(m => m.Entry.Id == id) is { } m ? m.BusySlots + m.QueueDepth : 0;

    public void Begin()
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _requests);
    }

    public void End() => Interlocked.Decrement(ref _inFlight);
}

/// <summary>The local members of pooled model ids, made on first use.</summary>
public sealed class LocalMembers(ModelPool pool, ServerOptions options)
{
    private readonly ConcurrentDictionary<string, LocalMember> _members = new(StringComparer.Ordinal);

    public LocalMember For(string id) => _members.GetOrAdd(id, i => new LocalMember(i, pool, Math.Max(0, options.Parallel)));
}
