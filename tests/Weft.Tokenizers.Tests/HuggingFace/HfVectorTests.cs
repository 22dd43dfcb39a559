// llama.cpp's vocabulary test vectors through generated Hugging Face checkpoints: the Hugging Face library shows
// the generated tokenizer.json is faithful (it reproduces the .out ids, which that library produced for the
// original checkpoint); then the adapter's tokenizer must give the library's ids and decoded texts.
using Weft.Tokenizers.HuggingFace;

namespace Weft.Tokenizers.Tests.HuggingFace;

public class HfVectorTests
{
    public static TheoryData<string> Families() => new(HfCheckpoints.Families);
    public static TheoryData<string> SentencePieceFamilies() => new(HfCheckpoints.SentencePieceFamilies);

    [Theory]
    [MemberData(nameof(Families))]
    public void HfLibraryReproducesTheVectors(string vocab)
    {
        var cases = Reference.Vectors(vocab);
        var (ids, _) = HfCheckpoints.VectorAnswers(vocab);
        var failures = new List<string>();
        for (int i = 0; i < cases.Count; i++)
            if (!ids[i].SequenceEqual(cases[i].Ids))
                failures.Add($"'{Reference.Show(cases[i].Text)}'\n  .out {string.Join(' ', cases[i].Ids)}\n  hf   {string.Join(' ', ids[i])}");
        Assert.True(failures.Count == 0, $"{vocab}: {failures.Count}/{cases.Count} cases differ:\n" + string.Join("\n", failures.Take(10)));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void AdapterMatchesHfLibrary(string vocab)
    {
        var ckpt = HfCheckpoints.Full(vocab);
        var tok = HfTokenizerFiles.Load(ckpt.Folder, ckpt.ModelName);
        var cases = Reference.Vectors(vocab);
        var (ids, decoded) = HfCheckpoints.VectorAnswers(vocab);
        Assert.Equal(cases.Count, ids.Length);
        var failures = new List<string>();
        for (int i = 0; i < cases.Count; i++)
        {
            var got = tok.Encode(cases[i].Text, addSpecial: false, parseSpecial: true);
            if (!got.SequenceEqual(ids[i]))
                failures.Add($"ids of '{Reference.Show(cases[i].Text)}'\n  hf   {string.Join(' ', ids[i])}\n  ours {string.Join(' ', got)}");
            // llama.cpp's WordPiece detokenizer keeps the words' leading spaces and glues control tokens on, unlike
            // the library's WordPiece decoder; decoded texts are compared for the other kinds
            if (tok.Kind == VocabularyKind.WordPiece) continue;
            string text = tok.Decode(ids[i], renderSpecial: true);
            if (text != decoded[i])
                failures.Add($"decoding of '{Reference.Show(cases[i].Text)}'\n  hf   '{Reference.Show(decoded[i])}'\n  ours '{Reference.Show(text)}'");
        }
        Assert.True(failures.Count == 0, $"{vocab}: {failures.Count} differences:\n" + string.Join("\n", failures.Take(10)));
    }

    [Theory]
    [MemberData(nameof(SentencePieceFamilies))]
    public void TokenizerModelAloneReproducesTheVectors(string vocab)
    {
        var ckpt = HfCheckpoints.ModelOnly(vocab);
        var hf = HfTokenizerFiles.Read(ckpt.Folder, ckpt.ModelName);
        Assert.EndsWith("tokenizer.model", hf.SourceFile);
        var tok = hf.CreateTokenizer();
        var failures = new List<string>();
        foreach (var (text, want) in Reference.Vectors(vocab))
        {
            var got = tok.Encode(text, addSpecial: false, parseSpecial: false);
            if (!got.SequenceEqual(want))
                failures.Add($"'{Reference.Show(text)}'\n  .out {string.Join(' ', want)}\n  ours {string.Join(' ', got)}");
        }
        Assert.True(failures.Count == 0, $"{vocab}: {failures.Count} cases differ:\n" + string.Join("\n", failures.Take(10)));
    }
}
