// Matching text against a grammar one code point (or one UTF-8 byte) at a time. A matcher is a small value over
// shared, cached stacks: Clone is O(1), and advancing from a state seen before is a table look-up.
namespace Weft.Inference.Grammar;

public sealed class GrammarMatcher
{
    private readonly GrammarStacks _stacks;
    private int _state;
    private Utf8Partial _partial;

    internal GrammarMatcher(GrammarStacks stacks)
    {
        _stacks = stacks;
        _state = stacks.Start;
    }

    private GrammarMatcher(GrammarStacks stacks, int state, Utf8Partial partial)
    {
        _stacks = stacks;
        _state = state;
        _partial = partial;
    }

    internal GrammarStacks Stacks => _stacks;
    internal int State => _state;
    internal Utf8Partial Partial => _partial;

    /// <summary>The text so far is a complete sentence of the grammar (no UTF-8 character left half done).</summary>
    public bool IsComplete => _partial.Need == 0 && _stacks.CanEnd(_state);

    /// <summary>Some continuation of the text so far is still in the grammar.</summary>
    public bool IsAlive => _state != GrammarStacks.Dead;

    /// <summary>The grammar can take more characters here.</summary>
    public bool CanContinue => _stacks.CanContinue(_state);

    public GrammarMatcher Clone() => new(_stacks, _state, _partial);

    /// <summary>Takes one code point; false (and the matcher is dead) when the grammar does not allow it here.</summary>
    public bool Accept(int codePoint)
    {
        if (_partial.Need != 0) _state = GrammarStacks.Dead;
        _state = _stacks.Advance(_state, codePoint);
        return _state != GrammarStacks.Dead;
    }

    /// <summary>Takes every code point of <paramref name="text"/>; false at the first the grammar refuses.</summary>
    public bool Accept(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var rune in text.EnumerateRunes())
            if (!Accept(rune.Value)) return false;
        return true;
    }

    /// <summary>Takes UTF-8 bytes, which may end inside a character (the rest comes with the next call).</summary>
    public bool AcceptBytes(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
            if (!Utf8Partial.Step(_stacks, ref _state, ref _partial, b)) return false;
        return true;
    }
}

/// <summary>The bytes of a UTF-8 character seen so far: their value bits and how many continuation bytes are due.</summary>
internal readonly record struct Utf8Partial(int Value, int Need, int Min)
{
    /// <summary>Feeds one byte; on a finished character advances <paramref name="state"/>. False when the byte is
    /// not valid UTF-8 here or the grammar refuses the character.</summary>
    public static bool Step(GrammarStacks stacks, ref int state, ref Utf8Partial partial, byte b)
    {
        if (partial.Need == 0)
        {
            if (b < 0x80)
            {
                state = stacks.Advance(state, b);
                return state != GrammarStacks.Dead;
            }
            if (b >= 0xC2 && b <= 0xDF) partial = new(b & 0x1F, 1, 0x80);
            else if (b >= 0xE0 && b <= 0xEF) partial = new(b & 0x0F, 2, 0x800);
            else if (b >= 0xF0 && b <= 0xF4) partial = new(b & 0x07, 3, 0x10000);
            else { state = GrammarStacks.Dead; return false; }
            return Viable(stacks, state, partial) || Kill(ref state);
        }
        if ((b & 0xC0) != 0x80) return Kill(ref state);
        var next = new Utf8Partial(partial.Value << 6 | (b & 0x3F), partial.Need - 1, partial.Min);
        if (next.Need > 0)
        {
            partial = next;
            return Viable(stacks, state, partial) || Kill(ref state);
        }
        partial = default;
        int cp = next.Value;
        if (cp < next.Min || cp > CharSet.MaxCodePoint || cp is >= 0xD800 and <= 0xDFFF) return Kill(ref state);
        state = stacks.Advance(state, cp);
        return state != GrammarStacks.Dead;
    }

    private static bool Kill(ref int state)
    {
        state = GrammarStacks.Dead;
        return false;
    }

    /// <summary>Whether some character starting with these bytes is one the grammar takes.</summary>
    public static bool Viable(GrammarStacks stacks, int state, Utf8Partial p)
    {
        int shift = 6 * p.Need;
        int lo = Math.Max(p.Value << shift, p.Min), hi = Math.Min(p.Value << shift | ((1 << shift) - 1), CharSet.MaxCodePoint);
        return lo <= hi && stacks.AcceptsAnyIn(state, lo, hi);
    }
}
