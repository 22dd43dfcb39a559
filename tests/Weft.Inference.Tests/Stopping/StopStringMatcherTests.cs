// Stop strings over streamed text, checked for every way of cutting the text into pieces.
using Weft.Inference.Stopping;

namespace Weft.Inference.Tests.Stopping;

public class StopStringMatcherTests
{
    /// <summary>What the whole text should produce: the stop whose end comes first (longest of those ending there).</summary>
    private static (string Output, string? Stop) Expected(string text, string[] stops)
    {
        for (int end = 1; end <= text.Length; end++)
        {
            foreach (var stop in stops.OrderByDescending(s => s.Length))
            {
                if (stop.Length <= end && string.CompareOrdinal(text, end - stop.Length, stop, 0, stop.Length) == 0)
                    return (text[..(end - stop.Length)], stop);
            }
        }
        return (text, null);
    }

    /// <summary>The longest proper suffix of the text that is a proper prefix of a stop string.</summary>
    private static int Ambiguous(string text, string[] stops)
    {
        for (int k = Math.Min(text.Length, stops.Max(s => s.Length) - 1); k > 0; k--)
            if (stops.Any(s => s.Length > k && s.StartsWith(text[^k..], StringComparison.Ordinal))) return k;
        return 0;
    }

    /// <summary>Every way to cut the text into consecutive non-empty pieces (2^(n-1) of them).</summary>
    private static IEnumerable<string[]> AllSplits(string text)
    {
        if (text.Length == 0)
        {
            yield return [];
            yield break;
        }
        int cuts = text.Length - 1;
        for (int mask = 0; mask < 1 << cuts; mask++)
        {
            var pieces = new List<string>();
            int start = 0;
            for (int i = 0; i < cuts; i++)
            {
                if ((mask & (1 << i)) != 0)
                {
                    pieces.Add(text[start..(i + 1)]);
                    start = i + 1;
                }
            }
            pieces.Add(text[start..]);
            yield return pieces.ToArray();
        }
    }

    private static void Check(string text, string[] stops, string[] pieces)
    {
        var (expectedOutput, expectedStop) = Expected(text, stops);
        var m = new StopStringMatcher(stops);
        var shown = new System.Text.StringBuilder();
        string fed = "";
        bool stopped = false;
        foreach (var piece in pieces)
        {
            fed += piece;
            var r = m.Append(piece);
            shown.Append(r.Text);
            string now = shown.ToString();
            string where = $"text '{text}', stops [{string.Join(", ", stops)}], pieces [{string.Join("|", pieces)}]";
            Assert.True(expectedOutput.StartsWith(now, StringComparison.Ordinal), $"shown '{now}' is not a prefix of '{expectedOutput}': {where}");
            if (r.Stopped)
            {
                stopped = true;
                Assert.Equal(expectedStop, r.StopString);
                Assert.Equal(expectedStop, m.MatchedStopString);
                Assert.True(m.IsStopped);
                break;
            }
            Assert.Null(r.StopString);
            // nothing is held back that could not be the start of a stop string, and nothing is lost
            Assert.Equal(fed, now + fed[now.Length..]);
            Assert.Equal(Ambiguous(fed, stops), m.HeldBackLength);
            Assert.Equal(fed.Length - m.HeldBackLength, now.Length);
        }
        if (!stopped) shown.Append(m.Flush());
        Assert.Equal(expectedStop is not null, stopped);
        Assert.Equal(expectedOutput, shown.ToString());
        Assert.Equal(expectedOutput.Length, m.EmittedLength);
    }

    public static TheoryData<string, string[]> Cases => new()
    {
        { "Hello</s>world", ["</s>"] },
        { "no stop in here", ["</s>", "###"] },
        { "a<</s>b", ["</s>"] },
        { "xababcab", ["abab", "abc"] },
        { "xabac", ["abab", "abc"] },
        { "abababc", ["ababc"] },
        { "aaaa", ["aaa"] },
        { "xabcd", ["abcd", "bc"] },
        { "cab", ["ab", "b"] },
        { "one\ntwo\n\nUser:", ["\n\n", "\nUser:"] },
        { "hi\nUser: x", ["\n\n", "\nUser:"] },
        { "almost stop", ["stop!"] },
        { "ends with sto", ["stop"] },
        { "<|im_end|>", ["<|im_end|>", "<|endoftext|>"] },
        { "a<|end<|endof", ["<|endoftext|>"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EverySplitGivesTheSameResult(string text, string[] stops)
    {
        int splits = 0;
        foreach (var pieces in AllSplits(text))
        {
            Check(text, stops, pieces);
            splits++;
        }
        Assert.Equal(1 << Math.Max(0, text.Length - 1), splits);
    }

    [Fact]
    public void EmptyPiecesAndWholeTextAtOnce()
    {
        Check("ab</s>", ["</s>"], ["", "a", "", "b<", "", "/s", ">", ""]);
        Check("ab</s>cd", ["</s>"], ["ab</s>cd"]);
        Check("", ["x"], []);
    }

    [Fact]
    public void RandomTextsOverASmallAlphabet()
    {
        var rng = new Random(21);
        for (int trial = 0; trial < 300; trial++)
        {
            string Word(int min, int max) => new(Enumerable.Range(0, rng.Next(min, max + 1)).Select(_ => "ab"[rng.Next(2)]).ToArray());
            var stops = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => Word(1, 4)).Distinct().ToArray();
            string text = Word(0, 9);
            foreach (var pieces in AllSplits(text)) Check(text, stops, pieces);
        }
    }

    [Fact]
    public void TextAfterTheStopIsDroppedAndFurtherInputRefused()
    {
        var m = new StopStringMatcher(["STOP"]);
        Assert.Equal(new StopStringResult("abc", false, null), m.Append("abc"));
        Assert.Equal(new StopStringResult("", false, null), m.Append("ST"));
        Assert.Equal(new StopStringResult("", true, "STOP"), m.Append("OP and more"));
        Assert.Equal(3, m.EmittedLength);
        Assert.Throws<InvalidOperationException>(() => m.Append("x"));
        Assert.Equal("", m.Flush());
        m.Reset();
        Assert.False(m.IsStopped);
        Assert.Equal(new StopStringResult("xy", false, null), m.Append("xy"));
    }

    [Fact]
    public void HeldBackTextIsReleasedWhenTheStreamEnds()
    {
        var m = new StopStringMatcher(["</s>"]);
        Assert.Equal("abc", m.Append("abc</").Text);
        Assert.Equal(2, m.HeldBackLength);
        Assert.Equal("</", m.Flush());
        Assert.Throws<InvalidOperationException>(() => m.Append("s>"));
    }

    [Fact]
    public void NoStopStringsPassesTextThroughButKeepsSurrogatePairsWhole()
    {
        var m = new StopStringMatcher([]);
        Assert.Equal("abc", m.Append("abc").Text);
        string emoji = "\U0001F600";
        Assert.Equal("x", m.Append("x" + emoji[0]).Text);
        Assert.Equal(emoji + "y", m.Append(emoji[1] + "y").Text);
        Assert.Equal("", m.Flush());
    }

    [Fact]
    public void InvalidStopStringsAreRejectedAndDuplicatesMerged()
    {
        Assert.Throws<ArgumentException>(() => new StopStringMatcher(["a", ""]));
        Assert.Throws<ArgumentException>(() => new StopStringMatcher([null!]));
        Assert.Equal(["x", "yz"], new StopStringMatcher(["x", "yz", "x"]).StopStrings);
    }
}
