// Special ids, end-of-generation set and special-token count against what llama.cpp reports when it loads
// each vocabulary file (its verbose print_info lines).
using System.Text.RegularExpressions;

namespace Weft.Tokenizers.Tests;

public partial class VocabularyInfoTests
{
    public static TheoryData<string> Vocabs() => new([.. Reference.VocabsWithVectors, "gpt-neox", "aquila", "baichuan"]);

    [GeneratedRegex(@"^print_info: (\w+(?: \w+)?) token\s+= (-?\d+) '", RegexOptions.Multiline)]
    private static partial Regex TokenLine();

    [GeneratedRegex(@"special tokens cache size = (\d+)")]
    private static partial Regex CacheSize();

    [Theory]
    [MemberData(nameof(Vocabs))]
    public void SpecialTokensMatchLlamaCpp(string vocab)
    {
        var tok = Reference.Load(vocab);
        string log = Oracle.LoadLog(vocab);
        var theirs = new Dictionary<string, int>();
        var theirEog = new SortedSet<int>();
        foreach (Match m in TokenLine().Matches(log))
        {
            int id = int.Parse(m.Groups[2].Value);
            if (m.Groups[1].Value == "EOG") theirEog.Add(id);
            else theirs[m.Groups[1].Value] = id;
        }
        Assert.True(theirs.ContainsKey("LF"), $"no print_info lines in the log of {vocab}:\n{log}");

        var ours = new Dictionary<string, int>
        {
            ["BOS"] = tok.Bos, ["EOS"] = tok.Eos, ["EOT"] = tok.Eot, ["EOM"] = tok.Eom, ["UNK"] = tok.Unk, ["SEP"] = tok.Sep,
            ["PAD"] = tok.Pad, ["MASK"] = tok.Mask, ["LF"] = tok.Newline, ["FIM PRE"] = tok.FimPre, ["FIM SUF"] = tok.FimSuf,
            ["FIM MID"] = tok.FimMid, ["FIM PAD"] = tok.FimPad, ["FIM REP"] = tok.FimRep, ["FIM SEP"] = tok.FimSep,
        };
        foreach (var (role, id) in ours)
            Assert.True(theirs.GetValueOrDefault(role, -1) == id, $"{vocab}: {role} is {id}, llama.cpp says {theirs.GetValueOrDefault(role, -1)}");
        Assert.Equal(theirEog, new SortedSet<int>(tok.EogIds));

        int special = Enumerable.Range(0, tok.VocabSize)
            .Count(id => (tok.Attributes(id) & (TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown)) != 0);
        Assert.Equal(int.Parse(CacheSize().Match(log).Groups[1].Value), special);
    }
}
