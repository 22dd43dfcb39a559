// The pushdown side of matching: a grammar position is a stack of return points, and a matcher state is the set of
// stacks whose top is a terminal (or the empty stack: the grammar may end here). Stacks are interned nodes
// (position, parent), states are interned sorted node sets, and transitions are cached, so that walking the
// vocabulary trie again from a state seen before costs table look-ups. Not thread-safe: one per request.
namespace Weft.Inference.Grammar;

internal sealed class GrammarStacks
{
    /// <summary>The state of no live stack: the text so far cannot be continued.</summary>
    public const int Dead = -1;
    private const int EmptyStack = 0;

    /// <summary>Interned states above this many are not kept (a runaway grammar would otherwise grow without bound).</summary>
    private const int MaxCachedStates = 200_000;

    /// <summary>Rule entries one expansion may make, and stack nodes a matcher may hold: nested repetitions of rules
    /// that may all be empty (((x{0,9999}){0,9999}){0,9999}) reach far more stacks than any text could use.</summary>
    private const int MaxExpansion = 250_000, MaxNodes = 4_000_000;

    private readonly Grammar _g;
    private readonly List<int> _nodePos = [-1];
    private readonly List<int> _nodeParent = [-1];
    private readonly Dictionary<long, int> _nodes = [];
    private readonly List<int[]> _states = [];
    private readonly List<int[]?> _ascii = [];
    private readonly Dictionary<int[], int> _stateIds = new(new SequenceComparer());
    private readonly Dictionary<long, int> _wide = [];
    private readonly Stack<(int Pos, int Parent)> _work = new();
    private readonly HashSet<long> _entered = [];

    public GrammarStacks(Grammar grammar)
    {
        _g = grammar;
        var tops = new List<int>();
        foreach (int start in _g.Alternatives[_g.Root]) Expand(start, EmptyStack, tops);
        Start = Intern(tops);
    }

    public Grammar Grammar => _g;
    public int Start { get; }

    /// <summary>Whether the grammar may end in <paramref name="state"/>.</summary>
    public bool CanEnd(int state) => state >= 0 && _states[state].Length > 0 && _states[state][0] == EmptyStack;

    /// <summary>Whether <paramref name="state"/> can take any code point at all.</summary>
    public bool CanContinue(int state) => state >= 0 && _states[state].Any(n => n != EmptyStack);

    /// <summary>The state after <paramref name="codePoint"/>, or <see cref="Dead"/>.</summary>
    public int Advance(int state, int codePoint)
    {
        if (state < 0) return Dead;
        if ((uint)codePoint < 128)
        {
            var row = _ascii[state] ??= NewAsciiRow();
            int cached = row[codePoint];
            if (cached != int.MinValue) return cached;
            int next = Compute(state, codePoint);
            _ascii[state]![codePoint] = next;
            return next;
        }
        long key = (long)state << 21 | (uint)codePoint;
        if (_wide.TryGetValue(key, out int found)) return found;
        int result = Compute(state, codePoint);
        _wide[key] = result;
        return result;
    }

    /// <summary>Whether some stack of <paramref name="state"/> takes a code point in [lo, hi] (for a character whose
    /// UTF-8 bytes are only partly known).</summary>
    public bool AcceptsAnyIn(int state, int lo, int hi)
    {
        if (state < 0) return false;
        foreach (int n in _states[state])
            if (n != EmptyStack && _g.Sets[_g.Args[_nodePos[n]]].Intersects(lo, hi)) return true;
        return false;
    }

    private static int[] NewAsciiRow()
    {
        var row = new int[128];
        Array.Fill(row, int.MinValue);
        return row;
    }

    private int Compute(int state, int codePoint)
    {
        var tops = new List<int>();
        foreach (int n in _states[state])
        {
            if (n == EmptyStack) continue;
            int pos = _nodePos[n];
            if (_g.Sets[_g.Args[pos]].Contains(codePoint)) Expand(pos + 1, _nodeParent[n], tops);
        }
        return Intern(tops);
    }

    /// <summary>Adds the stacks reached from <paramref name="pos"/> (with <paramref name="parent"/> below it) whose top
    /// is a terminal, or the empty stack where the whole grammar ends. Iterative (chains of rules may be long), and each
    /// (alternative, return node) pair is entered once.</summary>
    private void Expand(int pos, int parent, List<int> output)
    {
        _work.Clear();
        _entered.Clear();
        _work.Push((pos, parent));
        int entries = 0;
        while (_work.Count > 0)
        {
            if (++entries > MaxExpansion) throw TooComplex($"more than {MaxExpansion} rule entries at one position");
            var (p, par) = _work.Pop();
            while (true)
            {
                byte kind = _g.Kinds[p];
                if (kind == Grammar.KindChars)
                {
                    output.Add(Node(p, par));
                    break;
                }
                if (kind == Grammar.KindRule)
                {
                    int ret = Node(p + 1, par);
                    foreach (int start in _g.Alternatives[_g.Args[p]])
                        if (_entered.Add((long)start << 32 | (uint)ret)) _work.Push((start, ret));
                    break;
                }
                // end of an alternative: return to the parent
                if (par == EmptyStack)
                {
                    output.Add(EmptyStack);
                    break;
                }
                p = _nodePos[par];
                par = _nodeParent[par];
            }
        }
    }

    private int Node(int pos, int parent)
    {
        long key = (long)pos << 32 | (uint)parent;
        if (_nodes.TryGetValue(key, out int id)) return id;
        id = _nodePos.Count;
        if (id >= MaxNodes) throw TooComplex($"more than {MaxNodes} distinct stack entries");
        _nodePos.Add(pos);
        _nodeParent.Add(parent);
        _nodes[key] = id;
        return id;
    }

    private static GrammarException TooComplex(string what) =>
        new($"the grammar is too complex to match: {what} (nested repetitions of rules that may all be empty?)");

    private int Intern(List<int> tops)
    {
        if (tops.Count == 0) return Dead;
        tops.Sort();
        int w = 1;
        for (int i = 1; i < tops.Count; i++)
            if (tops[i] != tops[w - 1]) tops[w++] = tops[i];
        var key = tops.GetRange(0, w).ToArray();
        if (_stateIds.TryGetValue(key, out int id)) return id;
        if (_states.Count >= MaxCachedStates) throw new GrammarException($"the grammar reached more than {MaxCachedStates} distinct states");
        id = _states.Count;
        _states.Add(key);
        _ascii.Add(null);
        _stateIds[key] = id;
        return id;
    }

    private sealed class SequenceComparer : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] obj)
        {
            var h = new HashCode();
            h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(obj.AsSpan()));
            return h.ToHashCode();
        }
    }
}
