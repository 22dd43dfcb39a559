// The GGUF adapter: the keys it reads and what it says about missing or ill-typed ones.
using Weft.Formats;
using Weft.Formats.Gguf;
using Weft.Models.Loading;

namespace Weft.Tokenizers.Tests;

public sealed class GgufTokenizerLoaderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "weft-tokloader-" + Guid.NewGuid().ToString("N"));

    public GgufTokenizerLoaderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private GgufFile Write(Action<GgufWriter> fill)
    {
        var w = new GgufWriter();
        fill(w);
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".gguf");
        w.Write(path);
        return GgufFile.Open(path);
    }

    private static void Minimal(GgufWriter w) => w
        .Set("tokenizer.ggml.model", "llama")
        .Set("tokenizer.ggml.tokens", GgufValue.Of(new[] { "<unk>", "<s>", "</s>", "▁", "h", "i", "hi", "▁hi" }))
        .Set("tokenizer.ggml.scores", GgufValue.Of(new[] { 0f, 0f, 0f, -1f, -1f, -1f, -2f, -3f }))
        .Set("tokenizer.ggml.token_type", GgufValue.Of(new[] { 2, 3, 3, 1, 1, 1, 1, 1 }));

    [Fact]
    public void LoadsAMinimalVocabulary()
    {
        using var f = Write(w => { Minimal(w); w.Set("tokenizer.ggml.eos_token_id", 2u).Set("tokenizer.ggml.add_bos_token", false); });
        var tok = GgufTokenizerLoader.Load(f);
        Assert.Equal(8, tok.VocabSize);
        Assert.Equal([7], tok.Encode("hi", addSpecial: true, parseSpecial: false));
        Assert.True(tok.IsEog(2));
    }

    [Fact]
    public void MissingTokensNameTheKey()
    {
        using var f = Write(w => w.Set("tokenizer.ggml.model", "llama"));
        var e = Assert.Throws<ModelFormatException>(() => GgufTokenizerLoader.Load(f));
        Assert.Contains("tokenizer.ggml.tokens", e.Message);
    }

    [Fact]
    public void MissingModelNamesTheKey()
    {
        using var f = Write(w => w.Set("tokenizer.ggml.tokens", GgufValue.Of(new[] { "a" })));
        var e = Assert.Throws<ModelFormatException>(() => GgufTokenizerLoader.Load(f));
        Assert.Contains("tokenizer.ggml.model", e.Message);
    }

    [Fact]
    public void IllTypedKeysNameTheKey()
    {
        using var scores = Write(w => { Minimal(w); w.Set("tokenizer.ggml.scores", GgufValue.Of(new[] { "x", "y", "z", "w", "v", "u", "t", "s" })); });
        Assert.Contains("tokenizer.ggml.scores", Assert.Throws<ModelFormatException>(() => GgufTokenizerLoader.Load(scores)).Message);

        using var shortTypes = Write(w => { Minimal(w); w.Set("tokenizer.ggml.token_type", GgufValue.Of(new[] { 1, 1 })); });
        Assert.Contains("tokenizer.ggml.token_type", Assert.Throws<ModelFormatException>(() => GgufTokenizerLoader.Load(shortTypes)).Message);

        using var bos = Write(w => { Minimal(w); w.Set("tokenizer.ggml.bos_token_id", "one"); });
        Assert.Contains("tokenizer.ggml.bos_token_id", Assert.Throws<ModelFormatException>(() => GgufTokenizerLoader.Load(bos)).Message);

        using var merges = Write(w => w.Set("tokenizer.ggml.model", "gpt2").Set("tokenizer.ggml.tokens", GgufValue.Of(new[] { "a" })));
        Assert.Contains("tokenizer.ggml.merges", Assert.Throws<ModelFormatException>(() => GgufTokenizerLoader.Load(merges)).Message);
    }
}
