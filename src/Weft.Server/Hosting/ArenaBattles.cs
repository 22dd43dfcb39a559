// Battles of the blind arena while they are open: two models drawn from a pool, their names hidden until the vote.
// An open battle lives here (in memory, at most MaxOpen, the oldest dropped first); a voted one is stored in
// SQLite (ArenaStore) and leaves this table.
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Weft.Inference.Templates;

namespace Weft.Server.Hosting;

/// <summary>One side's answer: not started (again, after a stream that broke off), streaming, or finished (text and
/// tokens kept for the vote).</summary>
internal enum SideState { Waiting, Streaming, Finished }

internal sealed class ArenaSide(string model)
{
    public string Model { get; } = model;
    public SideState State { get; set; }
    public string Text { get; set; } = "";
    public int Tokens { get; set; }
}

/// <param name="options">the request's sampling fields (temperature, max_tokens, …), used for both answers</param>
internal sealed class OpenBattle(string id, IReadOnlyList<ChatMessage> messages, string prompt, ArenaSide a, ArenaSide b,
    System.Text.Json.JsonElement options)
{
    public string Id { get; } = id;
    public IReadOnlyList<ChatMessage> Messages { get; } = messages;
    /// <summary>The last user message: what the battle is stored under.</summary>
    public string Prompt { get; } = prompt;
    public ArenaSide A { get; } = a;
    public ArenaSide B { get; } = b;
    public System.Text.Json.JsonElement Options { get; } = options;
    public DateTimeOffset Created { get; } = DateTimeOffset.UtcNow;
    /// <summary>Guards the sides' states and the vote (one vote per battle).</summary>
    public object Gate { get; } = new();
    public bool Voted { get; set; }

    public ArenaSide Side(char side) => side == 'a' ? A : B;
}

internal sealed class ArenaBattles
{
    public const int MaxOpen = 1000;

    private readonly ConcurrentDictionary<string, OpenBattle> _open = new();

    public int Count => _open.Count;

    /// <summary>Opens a battle between two different models of <paramref name="pool"/> (drawn uniformly, in a random order).</summary>
    public OpenBattle Open(IReadOnlyList<string> pool, IReadOnlyList<ChatMessage> messages, string prompt, System.Text.Json.JsonElement options)
    {
        var distinct = pool.Distinct(StringComparer.Ordinal).ToArray();
        if (distinct.Length < 2) throw new InvalidOperationException("a battle needs two different models");
        int first = RandomNumberGenerator.GetInt32(distinct.Length);
        int second = RandomNumberGenerator.GetInt32(distinct.Length - 1);
        if (second >= first) second++;
        string id = "battle-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        var battle = new OpenBattle(id, messages, prompt, new ArenaSide(distinct[first]), new ArenaSide(distinct[second]), options);
        _open[id] = battle;
        while (_open.Count > MaxOpen)
        {
            var oldest = _open.Values.MinBy(b => b.Created);
            if (oldest == null || !_open.TryRemove(oldest.Id, out _)) break;
        }
        return battle;
    }

    public OpenBattle? Find(string id) => _open.TryGetValue(id, out var b) ? b : null;

    public void Close(string id) => _open.TryRemove(id, out _);
}
