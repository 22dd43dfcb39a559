// The code point tables against llama.cpp's own (src/unicode-data.cpp), over every code point.
using System.Globalization;
using System.Text.RegularExpressions;
using Weft.Tokenizers.Unicode;

namespace Weft.Tokenizers.Tests;

public partial class UnicodeTableTests
{
    private static string Section(string name)
    {
        string path = Path.Combine(Reference.LlamaSource, "src", "unicode-data.cpp");
        if (!File.Exists(path)) throw new InvalidOperationException($"{path} is missing; run ../shared/refharness/setup.sh");
        string src = File.ReadAllText(path);
        int a = src.IndexOf(name + " = {", StringComparison.Ordinal);
        Assert.True(a >= 0, $"{name} not found in {path}");
        return src[a..src.IndexOf("};", a, StringComparison.Ordinal)];
    }

    private static int Hex(string s) => int.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\{0x([0-9A-F]+), 0x([0-9A-F]+)\}")]
    private static partial Regex Pair();

    [GeneratedRegex(@"\{0x([0-9A-F]+), 0x([0-9A-F]+), 0x([0-9A-F]+)\}")]
    private static partial Regex Triple();

    [GeneratedRegex(@"0x([0-9A-F]+),")]
    private static partial Regex Single();

    [Fact]
    public void CategoriesAndWhitespaceMatch()
    {
        var ranges = Pair().Matches(Section("unicode_ranges_flags")).Select(m => (Start: Hex(m.Groups[1].Value), Flags: Hex(m.Groups[2].Value))).ToList();
        var whitespace = Single().Matches(Section("unicode_set_whitespace")).Select(m => Hex(m.Groups[1].Value)).ToHashSet();
        Assert.True(ranges.Count > 1000 && whitespace.Count > 20);
        var diffs = new List<string>();
        for (int r = 0; r + 1 < ranges.Count; r++)
        {
            for (int cp = ranges[r].Start; cp < ranges[r + 1].Start; cp++)
            {
                int want = ranges[r].Flags | (whitespace.Contains(cp) ? (int)CodepointFlags.Whitespace : 0);
                int got = (int)UnicodeInfo.Flags(cp);
                if (got != want && diffs.Count < 20) diffs.Add($"U+{cp:X4}: want {want:X}, got {got:X}");
            }
        }
        Assert.Empty(diffs);
    }

    [Fact]
    public void LowercaseMatches()
    {
        var map = Pair().Matches(Section("unicode_map_lowercase")).ToDictionary(m => Hex(m.Groups[1].Value), m => Hex(m.Groups[2].Value));
        Assert.True(map.Count > 1000);
        var diffs = new List<string>();
        for (int cp = 0; cp < UnicodeInfo.CodepointCount; cp++)
        {
            int want = map.TryGetValue(cp, out int v) ? v : cp;
            int got = UnicodeInfo.ToLower(cp);
            if (got != want && diffs.Count < 20) diffs.Add($"U+{cp:X4}: want U+{want:X4}, got U+{got:X4}");
        }
        Assert.Empty(diffs);
    }

    [Fact]
    public void NfdFirstCodepointMatches()
    {
        var want = new int[UnicodeInfo.CodepointCount];
        for (int cp = 0; cp < want.Length; cp++) want[cp] = cp;
        foreach (Match m in Triple().Matches(Section("unicode_ranges_nfd")))
            for (int cp = Hex(m.Groups[1].Value); cp <= Hex(m.Groups[2].Value); cp++) want[cp] = Hex(m.Groups[3].Value);
        var diffs = new List<string>();
        for (int cp = 0; cp < want.Length; cp++)
            if (UnicodeInfo.NfdFirst(cp) != want[cp] && diffs.Count < 20) diffs.Add($"U+{cp:X4}: want U+{want[cp]:X4}, got U+{UnicodeInfo.NfdFirst(cp):X4}");
        Assert.Empty(diffs);
    }
}
