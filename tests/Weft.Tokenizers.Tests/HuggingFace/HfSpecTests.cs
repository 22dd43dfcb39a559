// The spec the adapter builds from a generated checkpoint against the spec llama.cpp's converter wrote into the
// GGUF of the same vocabulary: token texts, types, merges and scores, and the tokenizer that each spec yields.
using Weft.Tokenizers.HuggingFace;

namespace Weft.Tokenizers.Tests.HuggingFace;

public class HfSpecTests
{
    public static TheoryData<string> Families() => new(HfCheckpoints.Families);
    public static TheoryData<string> SentencePieceFamilies() => new(HfCheckpoints.SentencePieceFamilies);

    [Theory]
    [MemberData(nameof(Families))]
    public void TokenizerJsonGivesTheGgufVocabulary(string vocab)
    {
        var ckpt = HfCheckpoints.Full(vocab);
        var ours = HfTokenizerFiles.Read(ckpt.Folder, ckpt.ModelName);
        AssertSameVocabulary(ckpt.GgufSpec, ours.Spec, compareScores: ckpt.GgufSpec.Model == "llama");
    }

    [Theory]
    [MemberData(nameof(SentencePieceFamilies))]
    public void TokenizerModelAloneGivesTheGgufVocabulary(string vocab)
    {
        var ckpt = HfCheckpoints.ModelOnly(vocab);
        AssertSameVocabulary(ckpt.GgufSpec, HfTokenizerFiles.Read(ckpt.Folder, ckpt.ModelName).Spec, compareScores: true);
    }

    [Theory]
    [MemberData(nameof(SentencePieceFamilies))]
    public void TokenizerJsonAloneStillTokenizesLikeTheGguf(string vocab)
    {
        // without tokenizer.model the scores are derived from the merges: the texts, types and ids must still agree
        var ckpt = HfCheckpoints.JsonOnly(vocab);
        var spec = HfTokenizerFiles.Read(ckpt.Folder, ckpt.ModelName).Spec;
        AssertSameVocabulary(ckpt.GgufSpec, spec, compareScores: false);
        var tok = Tokenizer.Create(spec);
        foreach (var (text, want) in Reference.Vectors(vocab))
            Assert.Equal(want, tok.Encode(text, addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void NamedChatTemplatesAndSpecialTextsComeBack()
    {
        var ckpt = HfCheckpoints.Full("command-r");
        var hf = HfTokenizerFiles.Read(ckpt.Folder);
        Assert.Contains("tool_use", hf.ChatTemplates.Keys);
        Assert.Contains("rag", hf.ChatTemplates.Keys);
        Assert.NotNull(hf.ChatTemplate);
        Assert.Equal(hf.ChatTemplates["default"], hf.ChatTemplate);
        Assert.Equal("<BOS_TOKEN>", hf.BosText);
        Assert.Equal(ckpt.GgufSpec.Tokens[ckpt.GgufSpec.EosId!.Value], hf.EosText);
    }

    // Some test GGUFs predate two converter rules the adapter follows: added tokens that look special ("<|...|>",
    // "<pad>", ...) become control tokens, and padding entries "[PADn]" are typed unused (older files say unknown).
    private static bool OlderConverter(string text, int? ggufType, int? ourType) =>
        (ggufType == (int)TokenType.UserDefined && ourType == (int)TokenType.Control && LooksSpecial(text))
        || (ggufType == (int)TokenType.Unknown && ourType == (int)TokenType.Unused && text.StartsWith("[PAD", StringComparison.Ordinal));

    private static bool LooksSpecial(string t) =>
        t == "<pad>" || (t.StartsWith("<|", StringComparison.Ordinal) && t.EndsWith("|>", StringComparison.Ordinal))
        || (t.StartsWith("<｜", StringComparison.Ordinal) && t.EndsWith("｜>", StringComparison.Ordinal));

    private static void AssertSameVocabulary(VocabularySpec gguf, VocabularySpec ours, bool compareScores)
    {
        Assert.Equal(gguf.Model, ours.Model);
        Assert.Equal(gguf.Tokens.Length, ours.Tokens.Length);
        var diffs = new List<string>();
        for (int i = 0; i < gguf.Tokens.Length; i++)
        {
            if (gguf.Tokens[i] != ours.Tokens[i]) diffs.Add($"token {i}: '{gguf.Tokens[i]}' vs '{ours.Tokens[i]}'");
            if (gguf.TokenTypes?[i] != ours.TokenTypes?[i] && !OlderConverter(gguf.Tokens[i], gguf.TokenTypes?[i], ours.TokenTypes?[i])) diffs.Add($"type of {i} '{gguf.Tokens[i]}': {gguf.TokenTypes?[i]} vs {ours.TokenTypes?[i]}");
            if (compareScores && gguf.Scores?[i] != ours.Scores?[i] && !gguf.Tokens[i].StartsWith("[PAD", StringComparison.Ordinal)) diffs.Add($"score of {i}: {gguf.Scores?[i]} vs {ours.Scores?[i]}");
        }
        Assert.True(diffs.Count == 0, $"{diffs.Count} differences:\n" + string.Join("\n", diffs.Take(20)));
        if (gguf.Model == "gpt2") Assert.Equal(gguf.Merges, ours.Merges);

        // the pre name may differ where llama.cpp has several names for one behaviour (mpt and gpt-2, say)
        var a = Tokenizer.Create(gguf);
        var b = Tokenizer.Create(ours);
        Assert.Equal(a.Kind, b.Kind);
        Assert.Equal(a.PreTokenizer, b.PreTokenizer);
        Assert.Equal((a.Bos, a.Eos, a.Unk, a.Sep, a.Pad, a.Mask, a.Eot), (b.Bos, b.Eos, b.Unk, b.Sep, b.Pad, b.Mask, b.Eot));
        Assert.Equal((a.AddBos, a.AddEos, a.AddSep, a.AddSpacePrefix), (b.AddBos, b.AddEos, b.AddSep, b.AddSpacePrefix));
        Assert.Equal(a.EogIds.Order(), b.EogIds.Order());
        for (int id = 0; id < a.VocabSize; id++)
            if (a.Attributes(id) != b.Attributes(id) && !OlderConverter(gguf.Tokens[id], gguf.TokenTypes?[id], ours.TokenTypes?[id])) diffs.Add($"attributes of {id} '{a.TokenText(id)}': {a.Attributes(id)} vs {b.Attributes(id)}");
        Assert.True(diffs.Count == 0, $"{diffs.Count} attribute differences:\n" + string.Join("\n", diffs.Take(20)));
        Assert.Equal(a.Decode([.. Enumerable.Range(0, Math.Min(a.VocabSize, 3000))], renderSpecial: true),
            b.Decode([.. Enumerable.Range(0, Math.Min(b.VocabSize, 3000))], renderSpecial: true));
    }
}
