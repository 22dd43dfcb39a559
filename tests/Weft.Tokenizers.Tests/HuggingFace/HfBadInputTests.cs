// Broken or unsupported checkpoint files give errors that name the file and the field.
using System.Text;
using Weft.Tokenizers.HuggingFace;

namespace Weft.Tokenizers.Tests.HuggingFace;

public sealed class HfBadInputTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "weft-hf-bad-" + Guid.NewGuid().ToString("N"));

    public HfBadInputTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void MissingFolder()
    {
        var e = Assert.Throws<TokenizerFileException>(() => HfTokenizerFiles.Read(Path.Combine(_dir, "nope")));
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void NeitherTokenizerFile()
    {
        var e = Assert.Throws<TokenizerFileException>(() => HfTokenizerFiles.Read(_dir));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains("tokenizer.model", e.Message);
    }

    [Theory]
    [InlineData("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, ")]
    [InlineData("[1, 2]")]
    [InlineData("")]
    public void MalformedJson(string text)
    {
        string path = Write("tokenizer.json", text);
        var e = Assert.Throws<TokenizerFileException>(() => HfTokenizerFiles.Read(_dir));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void MalformedTokenizerConfigNamesThatFile()
    {
        Write("tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}}");
        string path = Write("tokenizer_config.json", "{\"bos_token\": ");
        var e = Assert.Throws<TokenizerFileException>(() => HfTokenizerFiles.Read(_dir));
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData("Unigram", "{\"type\": \"Unigram\", \"vocab\": [[\"a\", -1.0]]}")]
    [InlineData("WordLevel", "{\"type\": \"WordLevel\", \"vocab\": {\"a\": 0}}")]
    public void UnsupportedModelType(string type, string model)
    {
        Write("tokenizer.json", "{\"model\": " + model + "}");
        var e = Assert.Throws<NotSupportedException>(() => HfTokenizerFiles.Read(_dir));
        Assert.Contains("model.type", e.Message);
        Assert.Contains(type, e.Message);
        Assert.Contains("tokenizer.json", e.Message);
    }

    [Theory]
    [InlineData("{\"type\": \"BPE\"}", "model.vocab")]
    [InlineData("{\"type\": \"BPE\", \"vocab\": {\"a\": \"zero\"}}", "model.vocab[\"a\"]")]
    [InlineData("{\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [3]}", "model.merges[0]")]
    [InlineData("{\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 0}}", "model.vocab[\"b\"]")]
    public void IllTypedFieldsAreNamed(string model, string field)
    {
        Write("tokenizer.json", "{\"model\": " + model + "}");
        var e = Assert.Throws<TokenizerFileException>(() => HfTokenizerFiles.Read(_dir));
        Assert.Contains($"'{field}'", e.Message);
    }

    [Fact]
    public void UnknownPreTokenizerIsNamed()
    {
        Write("tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}, " +
            "\"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": \"[a-z]+\"}, " +
            "\"behavior\": \"Isolated\", \"invert\": false}, {\"type\": \"ByteLevel\", \"use_regex\": false}]}}");
        var e = Assert.Throws<NotSupportedException>(() => HfTokenizerFiles.Read(_dir));
        Assert.Contains("pre_tokenizer", e.Message);
        Assert.Contains("[a-z]+", e.Message);
    }

    [Fact]
    public void TruncatedTokenizerModel()
    {
        var pieces = new List<(string, float, int)> { ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3), ("\u2581a", -1, 1) };
        byte[] full = SentencePieceModelWriter.Write(pieces);
        string path = Path.Combine(_dir, "tokenizer.model");
        File.WriteAllBytes(path, full);
        Assert.Equal(4, HfTokenizerFiles.Read(_dir).Spec.Tokens.Length);
        for (int cut = 1; cut < full.Length; cut += 3)
        {
            File.WriteAllBytes(path, full[..cut]);
            var e = Record.Exception(() => HfTokenizerFiles.Read(_dir));
            // a cut that ends exactly between fields is a shorter valid model (or one without its model type, which
            // then reads as Unigram and is refused); every other cut must be reported as a bad file
            if (e == null) continue;
            Assert.True(e is TokenizerFileException or NotSupportedException, e.ToString());
            Assert.Contains(path, e.Message);
        }
        File.WriteAllBytes(path, full[..(full.Length - 1)]);
        Assert.Contains(path, Assert.Throws<TokenizerFileException>(() => HfTokenizerFiles.Read(_dir)).Message);
    }

    [Fact]
    public void UnigramTokenizerModelIsRefused()
    {
        File.WriteAllBytes(Path.Combine(_dir, "tokenizer.model"),
            SentencePieceModelWriter.Write([("<unk>", 0, 2), ("a", -1, 1)], modelType: 1));
        var e = Assert.Throws<NotSupportedException>(() => HfTokenizerFiles.Read(_dir));
        Assert.Contains("trainer_spec.model_type", e.Message);
    }

    [Fact]
    public void NotAProtobufAtAll()
    {
        string path = Path.Combine(_dir, "tokenizer.model");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes("this is plain text, not a model"));
        var e = Assert.Throws<TokenizerFileException>(() => HfTokenizerFiles.Read(_dir));
        Assert.Contains(path, e.Message);
    }
}
