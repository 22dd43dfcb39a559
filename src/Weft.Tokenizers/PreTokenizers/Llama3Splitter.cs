// The Llama 3 / Qwen 2 / Qwen 3.5 pre-tokenizer patterns, walked by hand:
//   Llama 3:  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   Qwen 2:   the same with \p{N} (single digits) instead of \p{N}{1,3}
//   Qwen 3.5: Qwen 2 where letter runs also take marks ([\p{L}\p{M}]+) and the symbol run excludes marks
// Two quirks of llama.cpp's walk are kept: a lone space at the end of a chunk is taken by the symbol-run rule,
// and the case folding of the contractions uses the simple lower-case mapping.
using Weft.Tokenizers.Unicode;

namespace Weft.Tokenizers.PreTokenizers;

internal sealed class Llama3Splitter(int maxDigits, bool marksJoinLetters) : ISplitter
{
    public static readonly Llama3Splitter Llama3 = new(3, false);
    public static readonly Llama3Splitter Qwen2 = new(1, false);
    public static readonly Llama3Splitter Qwen35 = new(1, true);

    private bool IsWordChar(CodepointFlags f) =>
        (f & CodepointFlags.Letter) != 0 || (marksJoinLetters && (f & CodepointFlags.Mark) != 0);

    private bool IsOther(CodepointFlags f)
    {
        var excluded = CodepointFlags.Whitespace | CodepointFlags.Letter | CodepointFlags.Number;
        if (marksJoinLetters) excluded |= CodepointFlags.Mark;
        return (f & excluded) == 0;
    }

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
                int n1 = UnicodeInfo.ToLower(cps[pos + 1]);
                if (n1 is 's' or 't' or 'm' or 'd') { pos = w.Cut(pos + 2); continue; }
                if (pos + 2 < end)
                {
                    int n2 = UnicodeInfo.ToLower(cps[pos + 2]);
                    if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) { pos = w.Cut(pos + 3); continue; }
                }
            }

            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (c != '\r' && c != '\n' && (f & CodepointFlags.Number) == 0 && (IsWordChar(f) || IsWordChar(w.Flags(pos + 1))))
            {
                pos++;
                while (IsWordChar(w.Flags(pos))) pos++;
                pos = w.Cut(pos);
                continue;
            }

            // \p{N}{1,maxDigits}
            if ((f & CodepointFlags.Number) != 0)
            {
                int groupStart = pos;
                while ((w.Flags(pos) & CodepointFlags.Number) != 0)
                {
                    pos++;
                    if (pos - groupStart >= maxDigits)
                    {
                        w.Cut(pos);
                        groupStart = pos;
                    }
                }
                pos = w.Cut(pos);
                continue;
            }

            //  ?[^\s\p{L}\p{N}]+[\r\n]*   (the test looks at the character after a space, which may lie past
            // the chunk: then a lone trailing space is taken here)
            var f2 = c == ' ' ? w.Flags(pos + 1) : f;
            if (IsOther(f2) && f != CodepointFlags.None)
            {
                if (c == ' ') pos++;
                while (f2 != CodepointFlags.None && IsOther(f2)) f2 = w.Flags(++pos);
                while (w.At(pos) is '\r' or '\n') pos++;
                pos = w.Cut(pos);
                continue;
            }

            int spaces = 0, afterLastNewline = 0;
            while ((w.Flags(pos + spaces) & CodepointFlags.Whitespace) != 0)
            {
                if (w.At(pos + spaces) is '\r' or '\n') afterLastNewline = pos + spaces + 1;
                spaces++;
            }
            if (afterLastNewline > 0)
            {
                pos = w.Cut(afterLastNewline); // \s*[\r\n]+
                continue;
            }
            if (spaces > 1 && pos + spaces < end)
            {
                pos = w.Cut(pos + spaces - 1); // \s+(?!\S)
                continue;
            }
            pos = w.Cut(spaces > 0 ? pos + spaces : pos + 1);
        }
    }
}
