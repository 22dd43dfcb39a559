// GPT-2's pre-tokenizer pattern, walked by hand:
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
using Weft.Tokenizers.Unicode;

namespace Weft.Tokenizers.PreTokenizers;

internal sealed class Gpt2Splitter : ISplitter
{
    public static readonly Gpt2Splitter Instance = new();

    public void Split(SplitInput input, int start, int end, List<int> lengths)
    {
        int[] cps = input.Codepoints;
        var w = new ChunkWalker(cps, start, end, lengths);
        int pos = start;
        while (pos < end)
        {
            int c = cps[pos];
            var f = w.Flags(pos);

            if (c == '\'' && pos + 1 < end)
            {
                int n1 = cps[pos + 1];
                if (n1 is 's' or 't' or 'm' or 'd') { pos = w.Cut(pos + 2); continue; }
                if (pos + 2 < end)
                {
                    int n2 = cps[pos + 2];
                    if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) { pos = w.Cut(pos + 3); continue; }
                }
            }

            // an optional leading space, then a run of one class
            var f2 = c == ' ' ? w.Flags(pos + 1) : f;
            if ((f2 & CodepointFlags.Letter) != 0)
            {
                if (c == ' ') pos++;
                while ((w.Flags(pos) & CodepointFlags.Letter) != 0) pos++;
                pos = w.Cut(pos);
                continue;
            }
            if ((f2 & CodepointFlags.Number) != 0)
            {
                if (c == ' ') pos++;
                while ((w.Flags(pos) & CodepointFlags.Number) != 0) pos++;
                pos = w.Cut(pos);
                continue;
            }
            if (ChunkWalker.IsOther(f2))
            {
                if (c == ' ') pos++;
                while (ChunkWalker.IsOther(w.Flags(pos))) pos++;
                pos = w.Cut(pos);
                continue;
            }

            int spaces = w.WhitespaceRun(pos);
            if (spaces > 1 && pos + spaces < end)
            {
                pos = w.Cut(pos + spaces - 1); // \s+(?!\S): leave the last space to the word that follows
                continue;
            }
            pos = w.Cut(spaces > 0 ? pos + spaces : pos + 1);
        }
    }
}

/// <summary>Shared state of the hand-written splitters: class lookups that see nothing outside the chunk, and
/// the cut list.</summary>
internal ref struct ChunkWalker(int[] cps, int start, int end, List<int> lengths)
{
    private readonly int[] _cps = cps;
    private readonly int _start = start;
    private readonly int _end = end;
    private readonly List<int> _lengths = lengths;
    private int _last = start;

    /// <summary>Flags inside the chunk; <see cref="CodepointFlags.None"/> outside it.</summary>
    public readonly CodepointFlags Flags(int pos) =>
        pos >= _start && pos < _end ? UnicodeInfo.Flags(_cps[pos]) : CodepointFlags.None;

    /// <summary>The code point inside the chunk, or -1 outside it.</summary>
    public readonly int At(int pos) => pos >= _start && pos < _end ? _cps[pos] : -1;

    /// <summary>Ends the current piece at <paramref name="pos"/> (empty pieces are not recorded).</summary>
    public int Cut(int pos)
    {
        if (pos > _last) _lengths.Add(pos - _last);
        _last = pos;
        return pos;
    }

    public readonly int WhitespaceRun(int pos)
    {
        int n = 0;
        while ((Flags(pos + n) & CodepointFlags.Whitespace) != 0) n++;
        return n;
    }

    /// <summary>[^\s\p{L}\p{N}] for a position inside the chunk (outside it nothing matches).</summary>
    public static bool IsOther(CodepointFlags f) =>
        f != CodepointFlags.None && (f & (CodepointFlags.Whitespace | CodepointFlags.Letter | CodepointFlags.Number)) == 0;
}
