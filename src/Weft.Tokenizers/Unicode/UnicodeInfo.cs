// Code point classes, lower-casing and NFD as llama.cpp's tokenizers see them (Unicode 15.1 data).
using System.Globalization;
using System.Text;

namespace Weft.Tokenizers.Unicode;

/// <summary>One category bit per code point, plus the whitespace bit; the values match llama.cpp's flags.</summary>
[Flags]
public enum CodepointFlags : ushort
{
    None = 0,
    Undefined = 0x0001,
    Number = 0x0002,
    Letter = 0x0004,
    Separator = 0x0008,
    Mark = 0x0010,
    Punctuation = 0x0020,
    Symbol = 0x0040,
    Control = 0x0080,
    CategoryMask = 0x00FF,
    Whitespace = 0x0100,
}

public static class UnicodeInfo
{
    public const int CodepointCount = 0x110000;

    // The runtime's character database is Unicode 16.0; these are the code points it added after 15.1.
    // They count as unassigned here, as they do in llama.cpp. Pairs of (first, last).
    private static ReadOnlySpan<int> AddedInUnicode16 =>
    [
        0x00897, 0x00897, 0x01B4E, 0x01B4F, 0x01B7F, 0x01B7F, 0x01C89, 0x01C8A, 0x02427, 0x02429,
        0x031E4, 0x031E5, 0x0A7CB, 0x0A7CD, 0x0A7DA, 0x0A7DC, 0x105C0, 0x105F3, 0x10D40, 0x10D65,
        0x10D69, 0x10D85, 0x10D8E, 0x10D8F, 0x10EC2, 0x10EC4, 0x10EFC, 0x10EFC, 0x11380, 0x11389,
        0x1138B, 0x1138B, 0x1138E, 0x1138E, 0x11390, 0x113B5, 0x113B7, 0x113C0, 0x113C2, 0x113C2,
        0x113C5, 0x113C5, 0x113C7, 0x113CA, 0x113CC, 0x113D5, 0x113D7, 0x113D8, 0x113E1, 0x113E2,
        0x116D0, 0x116E3, 0x11BC0, 0x11BE1, 0x11BF0, 0x11BF9, 0x11F5A, 0x11F5A, 0x13460, 0x143FA,
        0x16100, 0x16139, 0x16D40, 0x16D79, 0x18CFF, 0x18CFF, 0x1CC00, 0x1CCF9, 0x1CD00, 0x1CEB3,
        0x1E5D0, 0x1E5FA, 0x1E5FF, 0x1E5FF, 0x1F8B2, 0x1F8BB, 0x1F8C0, 0x1F8C1, 0x1FA89, 0x1FA89,
        0x1FA8F, 0x1FA8F, 0x1FABE, 0x1FABE, 0x1FAC6, 0x1FAC6, 0x1FADC, 0x1FADC, 0x1FADF, 0x1FADF,
        0x1FAE9, 0x1FAE9, 0x1FBCB, 0x1FBEF,
    ];

    private static readonly Lazy<ushort[]> s_flags = new(BuildFlags);
    private static readonly Lazy<int[]> s_nfd = new(BuildNfd);

    /// <summary>Flags of a code point; code points past U+10FFFF are <see cref="CodepointFlags.Undefined"/>.</summary>
    public static CodepointFlags Flags(int cp) =>
        (uint)cp < CodepointCount ? (CodepointFlags)s_flags.Value[cp] : CodepointFlags.Undefined;

    public static bool IsWhitespace(int cp) => (Flags(cp) & CodepointFlags.Whitespace) != 0;

    /// <summary>Simple lower-case mapping (UnicodeData field 13).</summary>
    public static int ToLower(int cp)
    {
        if (cp == 0x130) return 0x69; // the runtime's invariant casing leaves U+0130 alone; UnicodeData maps it to 'i'
        if ((uint)cp >= CodepointCount || (cp >= 0xD800 && cp <= 0xDFFF) || IsAddedInUnicode16(cp)) return cp;
        return Rune.ToLowerInvariant(new Rune(cp)).Value;
    }

    /// <summary>The first code point of the canonical decomposition (the code point itself when it has none).</summary>
    public static int NfdFirst(int cp)
    {
        if (cp >= 0xAC00 && cp <= 0xD7A3) return 0x1100 + (cp - 0xAC00) / 588; // Hangul syllable -> leading jamo
        if ((uint)cp >= CodepointCount) return cp;
        return s_nfd.Value[cp];
    }

    private static bool IsAddedInUnicode16(int cp)
    {
        var r = AddedInUnicode16;
        for (int i = 0; i < r.Length; i += 2)
        {
            if (cp < r[i]) return false;
            if (cp <= r[i + 1]) return true;
        }
        return false;
    }

    private static ushort[] BuildFlags()
    {
        var flags = new ushort[CodepointCount];
        for (int cp = 0; cp < CodepointCount; cp++)
            flags[cp] = (ushort)(cp >= 0xD800 && cp <= 0xDFFF ? CodepointFlags.Control : Category(CharUnicodeInfo.GetUnicodeCategory(cp)));
        var added = AddedInUnicode16;
        for (int i = 0; i < added.Length; i += 2)
            for (int cp = added[i]; cp <= added[i + 1]; cp++) flags[cp] = (ushort)CodepointFlags.Undefined;
        foreach (int cp in (ReadOnlySpan<int>)[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002,
                     0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000])
            flags[cp] |= (ushort)CodepointFlags.Whitespace;
        return flags;
    }

    private static CodepointFlags Category(UnicodeCategory c) => c switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CodepointFlags.Letter,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => CodepointFlags.Mark,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CodepointFlags.Number,
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => CodepointFlags.Separator,
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse => CodepointFlags.Control,
        UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
            or UnicodeCategory.OtherPunctuation => CodepointFlags.Punctuation,
        UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
            or UnicodeCategory.OtherSymbol => CodepointFlags.Symbol,
        _ => CodepointFlags.Undefined,
    };

    private static int[] BuildNfd()
    {
        var map = new int[CodepointCount];
        for (int cp = 0; cp < map.Length; cp++) map[cp] = cp;
        var runs = NfdData.Runs;
        for (int i = 0; i < runs.Length; i += 3)
            for (int k = 0; k < runs[i + 1]; k++) map[runs[i] + k] = runs[i + 2];
        return map;
    }

    /// <summary>Code points of a .NET string (lone surrogates become U+FFFD, as its UTF-8 form would).</summary>
    public static int[] Codepoints(string s)
    {
        var result = new int[s.Length];
        int n = 0;
        foreach (var r in s.EnumerateRunes()) result[n++] = r.Value;
        Array.Resize(ref result, n);
        return result;
    }

    /// <summary>Appends a code point (at most U+10FFFF) as UTF-16.</summary>
    public static void Append(StringBuilder sb, int cp)
    {
        if (cp < 0x10000) sb.Append((char)cp);
        else
        {
            cp -= 0x10000;
            sb.Append((char)(0xD800 + (cp >> 10))).Append((char)(0xDC00 + (cp & 0x3FF)));
        }
    }
}
