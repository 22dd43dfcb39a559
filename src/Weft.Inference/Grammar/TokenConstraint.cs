// Which tokens a grammar allows next: the vocabulary trie walked against the matcher's state (one cached
// transition per byte, a pruned subtree per refused prefix), cached per grammar state, plus the end-of-generation
// tokens where the grammar may end. One per request; not thread-safe.
using Weft.Tokenizers;

namespace Weft.Inference.Grammar;

public sealed class TokenConstraint
{
    /// <summary>Masks kept per request (a 32,000-token mask is 4 KB); the cache starts over when full.</summary>
    private const int MaxCachedMasks = 2048;

    private readonly GrammarStacks _stacks;
    private readonly TokenTrie _trie;
    private readonly Tokenizer _tokenizer;
    private readonly Dictionary<int, Mask> _masks = [];
    private readonly int[] _walkState;
    private readonly Utf8Partial[] _walkPartial;
    private int _state;
    private Utf8Partial _partial;
    private Mask? _current;

    public TokenConstraint(Grammar grammar, Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(tokenizer);
        _stacks = new GrammarStacks(grammar);
        _tokenizer = tokenizer;
        _trie = TokenTrie.For(tokenizer);
        _walkState = new int[_trie.MaxDepth + 1];
        _walkPartial = new Utf8Partial[_trie.MaxDepth + 1];
        _state = _stacks.Start;
    }

    public int VocabSize => _trie.VocabSize;

    /// <summary>The text so far is a whole sentence of the grammar.</summary>
    public bool IsComplete => _partial.Need == 0 && _stacks.CanEnd(_state);

    /// <summary>Bit i of word i/64: token i may come next (end-of-generation tokens only when <see cref="IsComplete"/>).</summary>
    public ReadOnlySpan<ulong> Allowed => Current().Bits;

    /// <summary>Allowed tokens that continue the text (not counting end-of-generation tokens); 0 means generation must end.</summary>
    public int ContinuationCount => Current().Continuations;

    public bool IsAllowed(int token) => (uint)token < (uint)VocabSize && (Allowed[token >> 6] >> token & 1) != 0;

    /// <summary>Copies <paramref name="logits"/> into <paramref name="masked"/> with every refused token at -infinity
    /// (ids past the tokenizer's vocabulary are refused too).</summary>
    public void Apply(ReadOnlySpan<float> logits, Span<float> masked)
    {
        var bits = Allowed;
        int n = Math.Min(logits.Length, VocabSize);
        for (int w = 0; w * 64 < n; w++)
        {
            ulong word = bits[w];
            int start = w * 64, end = Math.Min(start + 64, n);
            if (word == ulong.MaxValue && end - start == 64) { logits[start..end].CopyTo(masked[start..end]); continue; }
            for (int i = start; i < end; i++) masked[i] = (word >> (i - start) & 1) != 0 ? logits[i] : float.NegativeInfinity;
        }
        masked[n..logits.Length].Fill(float.NegativeInfinity);
    }

    /// <summary>Moves past <paramref name="token"/>; false when the grammar refuses it (the state is then dead).</summary>
    public bool Accept(int token)
    {
        _current = null;
        if (_trie.EndTokens.Contains(token)) return IsComplete;
        foreach (byte b in _tokenizer.Piece(token, renderSpecial: false))
            if (!Utf8Partial.Step(_stacks, ref _state, ref _partial, b)) return false;
        return _state != GrammarStacks.Dead;
    }

    private Mask Current()
    {
        if (_current != null) return _current;
        if (_partial.Need == 0 && _masks.TryGetValue(_state, out var cached)) return _current = cached;
        var mask = Compute(_state, _partial);
        if (_partial.Need == 0)
        {
            if (_masks.Count >= MaxCachedMasks) _masks.Clear();
            _masks[_state] = mask;
        }
        return _current = mask;
    }

    private Mask Compute(int state, Utf8Partial partial)
    {
        var bits = new ulong[(VocabSize + 63) / 64];
        int continuations = 0;
        if (state != GrammarStacks.Dead)
        {
            var depth = _trie.Depth;
            var bytes = _trie.Bytes;
            var subtreeEnd = _trie.SubtreeEnd;
            var tokenStart = _trie.TokenStart;
            var tokens = _trie.Tokens;
            _walkState[0] = state;
            _walkPartial[0] = partial;
            int count = _trie.NodeCount;
            for (int node = 1; node < count;)
            {
                int d = depth[node];
                int s = _walkState[d - 1];
                var p = _walkPartial[d - 1];
                if (!Utf8Partial.Step(_stacks, ref s, ref p, bytes[node]))
                {
                    node = subtreeEnd[node];
                    continue;
                }
                _walkState[d] = s;
                _walkPartial[d] = p;
                for (int t = tokenStart[node]; t < tokenStart[node + 1]; t++)
                {
                    int id = tokens[t];
                    bits[id >> 6] |= 1UL << id;
                    continuations++;
                }
                node++;
            }
        }
        if (partial.Need == 0 && _stacks.CanEnd(state))
            foreach (int id in _trie.EndTokens) bits[id >> 6] |= 1UL << id;
        return new Mask(bits, continuations);
    }

    private sealed record Mask(ulong[] Bits, int Continuations);
}
