// A pre-tokenizer pattern without a hand-written walk, run the way llama.cpp runs it through std::regex.
// A pattern that uses \p{..} classes is matched against a "collapsed" text in which every code point above
// U+007F stands in as one byte for its class (0xD1 number, 0xD2 letter, 0xD3 punctuation, 0xD4 mark,
// 0xD5 symbol, 0xD0 anything else, 0x0B whitespace) and each \p{..} becomes that byte plus the ASCII members
// of the class. Other patterns see the code points themselves, with non-ASCII whitespace shown as 0x0B
// because \s only knows ASCII whitespace. Matches and the gaps between them both become pieces.
using System.Text;
using Weft.Tokenizers.Unicode;

namespace Weft.Tokenizers.PreTokenizers;

internal sealed class PatternSplitter : ISplitter
{
    private readonly RegexLite _regex;
    public bool UsesClasses { get; }
    public string Pattern { get; }

    private static readonly (string Name, CodepointFlags Flag)[] ClassNames =
    [
        (@"\p{N}", CodepointFlags.Number), (@"\p{L}", CodepointFlags.Letter), (@"\p{P}", CodepointFlags.Punctuation),
        (@"\p{M}", CodepointFlags.Mark), (@"\p{S}", CodepointFlags.Symbol), (@"\p{Lu}", CodepointFlags.Letter),
        (@"\p{Ll}", CodepointFlags.Letter), (@"\p{Lt}", CodepointFlags.Letter), (@"\p{Lm}", CodepointFlags.Letter),
        (@"\p{Lo}", CodepointFlags.Letter),
    ];

    public PatternSplitter(string pattern)
    {
        Pattern = pattern;
        UsesClasses = ClassNames.Any(c => pattern.Contains(c.Name, StringComparison.Ordinal));
        string effective = UsesClasses ? CollapsePattern(pattern) : pattern;
        _regex = RegexLite.Parse(UnicodeInfo.Codepoints(effective));
    }

    private static int CollapsedByte(CodepointFlags category) => category switch
    {
        CodepointFlags.Number => 0xD1,
        CodepointFlags.Letter => 0xD2,
        CodepointFlags.Punctuation => 0xD3,
        CodepointFlags.Mark => 0xD4,
        CodepointFlags.Symbol => 0xD5,
        _ => 0xD0,
    };

    // the ASCII members of each class, as class-body text
    private static string AsciiMembers(CodepointFlags category) => category switch
    {
        CodepointFlags.Number => "0-9",
        CodepointFlags.Letter => "A-Za-z",
        CodepointFlags.Punctuation => @"!-#%-*,-/:-;?-@\[-\]_\{\}",
        CodepointFlags.Symbol => @"\$\+<->^`\|\~",
        _ => "",
    };

    /// <summary>The pattern with each \p{..} replaced by its collapsed byte and ASCII members (bracketed when
    /// outside a class).</summary>
    public static string CollapsePattern(string pattern)
    {
        if (pattern.Any(ch => ch > 0x7F))
            throw new ArgumentException($"pattern '{pattern}' mixes \\p{{..}} classes with non-ASCII characters");
        var sb = new StringBuilder();
        bool inside = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '[' && (i == 0 || pattern[i - 1] != '\\'))
            {
                sb.Append('[');
                inside = true;
                continue;
            }
            if (inside && c == ']' && pattern[i - 1] != '\\')
            {
                sb.Append(']');
                inside = false;
                continue;
            }
            if (c == '\\' && i + 3 < pattern.Length && pattern[i + 1] == 'p' && pattern[i + 2] == '{')
            {
                int close = pattern.IndexOf('}', i + 3);
                if (close >= 0 && close <= i + 10)
                {
                    string name = pattern.Substring(i, close - i + 1);
                    int k = Array.FindIndex(ClassNames, x => x.Name == name);
                    if (k >= 0)
                    {
                        var cat = ClassNames[k].Flag;
                        if (!inside) sb.Append('[');
                        sb.Append((char)CollapsedByte(cat)).Append(AsciiMembers(cat));
                        if (!inside) sb.Append(']');
                        i = close;
                        continue;
                    }
                }
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>The text this pattern is matched against, one element per code point.</summary>
    public static int[] CollapseText(int[] cps, bool classes)
    {
        var t = new int[cps.Length];
        for (int i = 0; i < cps.Length; i++)
        {
            int cp = cps[i];
            if (cp < 0x80) { t[i] = cp; continue; }
            var f = UnicodeInfo.Flags(cp);
            if ((f & CodepointFlags.Whitespace) != 0) t[i] = 0x0B;
            else t[i] = classes ? CollapsedByte(f & CodepointFlags.CategoryMask) : cp;
        }
        return t;
    }

    public void Split(SplitInput input, int start, int end, List<int> lengths)
    {
        int[] text = UsesClasses ? input.Collapsed : input.WhitespaceFolded;
        int last = start;
        foreach (var (s, e) in _regex.Matches(text, start, end))
        {
            if (s > last) lengths.Add(s - last);
            lengths.Add(e - s);
            last = e;
        }
        if (last < end) lengths.Add(end - last);
    }
}
