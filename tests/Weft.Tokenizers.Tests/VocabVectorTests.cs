// llama.cpp's own tokenizer test vectors (models/ggml-vocab-*.gguf.inp/.out): every case, no BOS, no special
// parsing, exactly as tests/test-tokenizer-0 produces them.
namespace Weft.Tokenizers.Tests;

public class VocabVectorTests
{
    public static TheoryData<string> Vocabs() => new(Reference.VocabsWithVectors);

    [Theory]
    [MemberData(nameof(Vocabs))]
    public void EveryCaseMatches(string vocab)
    {
        var tok = Reference.Load(vocab);
        var cases = Reference.Vectors(vocab);
        Assert.True(cases.Count >= 40, $"{vocab}: only {cases.Count} cases read");
        var failures = new List<string>();
        foreach (var (text, want) in cases)
        {
            var got = tok.Encode(text, addSpecial: false, parseSpecial: false);
            if (!got.SequenceEqual(want))
                failures.Add($"'{Reference.Show(text)}'\n  want {string.Join(' ', want)}\n  got  {string.Join(' ', got)}");
        }
        Assert.True(failures.Count == 0, $"{vocab}: {failures.Count}/{cases.Count} cases differ:\n" + string.Join("\n", failures));
    }
}
