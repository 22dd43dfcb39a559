// The matcher on code points and UTF-8 bytes: prefixes, completion, clones that move on independently.
using System.Text;
using G = Weft.Inference.Grammar.Grammar;

namespace Weft.Inference.Tests.Grammar;

public class GrammarMatcherTests
{
    private static readonly G Words = G.Parse("root ::= word (\" \" word)*\nword ::= [a-z]+ | \"é\"");

    [Fact]
    public void TellsPrefixesFromSentences()
    {
        var m = Words.CreateMatcher();
        Assert.False(m.IsComplete);
        Assert.True(m.Accept("ab"));
        Assert.True(m.IsComplete);
        Assert.True(m.Accept(' '));
        Assert.False(m.IsComplete);
        Assert.True(m.CanContinue);
        Assert.False(m.Accept('1'));
        Assert.False(m.IsAlive);
        Assert.False(m.Accept('a')); // dead stays dead
    }

    [Fact]
    public void ClonesAreIndependent()
    {
        var a = Words.CreateMatcher();
        a.Accept("ab");
        var b = a.Clone();
        Assert.True(b.Accept(" cd"));
        Assert.False(a.Accept('!'));
        Assert.True(b.IsComplete);
        Assert.False(a.IsAlive);
    }

    [Fact]
    public void BytesMayEndInsideACharacter()
    {
        var bytes = Encoding.UTF8.GetBytes("ab é");
        var m = Words.CreateMatcher();
        Assert.True(m.AcceptBytes(bytes.AsSpan(0, 4))); // "ab " + the first byte of é
        Assert.False(m.IsComplete);
        Assert.True(m.AcceptBytes(bytes.AsSpan(4)));
        Assert.True(m.IsComplete);

        var n = Words.CreateMatcher();
        Assert.True(n.AcceptBytes("ab "u8));
        Assert.False(n.AcceptBytes([0xC3, 0xA8])); // è: the lead byte could start é, the whole character is refused
        Assert.False(Words.CreateMatcher().AcceptBytes([0xE2])); // no 3-byte character is in the grammar
        Assert.False(Words.CreateMatcher().AcceptBytes([0xFF])); // never UTF-8
    }

    [Fact]
    public void DeepRecursionMatches()
    {
        var g = G.Parse("root ::= \"[\" root? \"]\"");
        string deep = new string('[', 500) + new string(']', 500);
        Assert.True(g.Matches(deep));
        Assert.False(g.Matches(deep + "]"));
    }
}
