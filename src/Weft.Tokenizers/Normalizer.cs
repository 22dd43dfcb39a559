// Text clean-ups around the tokenizer models: SentencePiece whitespace escaping, BERT's basic normalization
// and word split, and the space clean-up applied to decoded text.
using System.Text;
using Weft.Tokenizers.Unicode;

namespace Weft.Tokenizers;

public static class Normalizer
{
    /// <summary>U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space.</summary>
    public const char SpaceMarker = '\u2581';

    public static string EscapeWhitespace(string text) => text.Replace(' ', SpaceMarker);

    public static string UnescapeWhitespace(string text) => text.Replace(SpaceMarker, ' ');

    /// <summary>
    /// BERT's basic normalization and word split: whitespace separates words; NUL, U+FFFD and control characters
    /// vanish; with <paramref name="stripAccents"/> every code point is replaced by the first code point of its
    /// NFD form and marks vanish; punctuation, ASCII symbols and CJK ideographs become one-character words.
    /// </summary>
    public static List<string> BertWords(string text, bool lowercase, bool stripAccents)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        void Flush()
        {
            if (current.Length > 0) { words.Add(current.ToString()); current.Clear(); }
        }
        foreach (var rune in text.EnumerateRunes())
        {
            int cp = stripAccents ? UnicodeInfo.NfdFirst(rune.Value) : rune.Value;
            var flags = UnicodeInfo.Flags(cp);
            if ((flags & CodepointFlags.Whitespace) != 0) { Flush(); continue; }
            if (cp == 0 || cp == 0xFFFD || (flags & CodepointFlags.Control) != 0) continue;
            if (stripAccents && (flags & CodepointFlags.Mark) != 0) continue;
            int outCp = lowercase ? UnicodeInfo.ToLower(cp) : cp;
            if ((flags & CodepointFlags.Punctuation) != 0 || (cp < 0x7F && (flags & CodepointFlags.Symbol) != 0) || IsCjkIdeograph(cp))
            {
                Flush();
                UnicodeInfo.Append(current, outCp);
                Flush();
            }
            else UnicodeInfo.Append(current, outCp);
        }
        Flush();
        return words;
    }

    // The CJK ideograph blocks BERT isolates (the Extension E start follows the reference implementation, 0x2B920).
    private static bool IsCjkIdeograph(int cp) =>
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);

    /// <summary>
    /// The clean-up of decoded text that HF calls clean_up_tokenization_spaces, in llama.cpp's three passes over
    /// bytes: drop the space before "?!.,"; turn " ' " into "'" (the space after is consumed, so the next
    /// character no longer sees a space before it); drop the space before "'s", "'m", "'re", "'ve".
    /// </summary>
    public static byte[] CleanUpSpaces(byte[] text)
    {
        if (text.Length == 0) return text;
        var src = text;
        var dst = new List<byte>(src.Length) { src[0] };
        for (int i = 1; i < src.Length; i++)
        {
            byte x = src[i];
            if (src[i - 1] == ' ' && x is (byte)'?' or (byte)'!' or (byte)'.' or (byte)',') dst.RemoveAt(dst.Count - 1);
            dst.Add(x);
        }

        src = dst.ToArray();
        dst = new List<byte>(src.Length) { src[0] };
        for (int i = 1; i < src.Length; i++)
        {
            byte x = src[i];
            if (x == '\'' && i + 1 < src.Length && src[i - 1] == ' ' && src[i + 1] == ' ')
            {
                dst.RemoveAt(dst.Count - 1);
                src[++i] = 0;
            }
            dst.Add(x);
        }

        src = dst.ToArray();
        dst = new List<byte>(src.Length) { src[0] };
        for (int i = 1; i < src.Length; i++)
        {
            byte x = src[i];
            if (src[i - 1] == ' ' && x == '\'' && i + 1 < src.Length)
            {
                byte x1 = src[i + 1];
                bool drop = x1 is (byte)'s' or (byte)'m'
                    || (x1 is not ((byte)'t' or (byte)'d') && i + 2 < src.Length
                        && ((x1 == 'r' && src[i + 2] == 'e') || (x1 == 'v' && src[i + 2] == 'e')));
                if (drop) dst.RemoveAt(dst.Count - 1);
            }
            dst.Add(x);
        }
        return dst.ToArray();
    }
}
