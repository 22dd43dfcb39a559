// The openness scorecard: computed from a weft-tiny-like folder, and from the catalog's declared evidence.
using System.Security.Cryptography;
using System.Text;
using Weft.Catalog.Catalog;
using Weft.Catalog.Openness;

namespace Weft.Catalog.Tests;

public class OpennessTests
{
    private static TempDir TinyLike(string manifestSha = "", bool text = true, uint fileType = 1)
    {
        var dir = new TempDir();
        const string corpus = "In the beginning God created the heaven and the earth.\n";
        if (text) dir.File("out/kjv.txt", corpus);
        string sha = manifestSha.Length > 0 ? manifestSha : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(corpus)));
        dir.File("manifest.json", "{\"corpus\": {\"title\": \"t\", \"sha256\": \"" + sha + "\"}}");
        dir.File("config.json", """{"name": "t", "data": {"path": "out/kjv.txt"}, "model": {"layers": 1}, "training": {"steps": 2}}""");
        dir.File("eval.json", """{"validation_loss": 4.5}""");
        dir.File("metrics.jsonl", "{\"step\":1,\"loss\":8.8}\n{\"step\":2,\"loss\":8.1}\n");
        GgufFiles.Write(Path.Combine(dir.Path, "t.gguf"), w => w.Set("general.license", "CC0-1.0").Set("general.file_type", fileType));
        return dir;
    }

    [Fact]
    public void WeftTinyLikeFolderIsVerifiedFiveOfFive()
    {
        using var dir = TinyLike();
        var sc = LocalOpenness.Score(dir.Path);
        Assert.All(sc.Components, c => Assert.Equal(OpennessStatus.Verified, c.Status));
        Assert.Equal(5, sc.VerifiedCount);
        Assert.Equal("I Open Science", sc.MofClass);
        Assert.Equal(100, sc.Index);
        Assert.Contains("2 logged steps", sc["training_metrics"].Note, StringComparison.Ordinal);
    }

    [Fact]
    public void AHashThatDoesNotMatchTheTextIsNotVerified()
    {
        using var dir = TinyLike(manifestSha: new string('0', 64));
        var sc = LocalOpenness.Score(dir.Path);
        Assert.Equal(OpennessStatus.Absent, sc["training_data"].Status);
        Assert.Contains("does not match", sc["training_data"].Note, StringComparison.Ordinal);
        Assert.Equal("II Open Tooling", sc.MofClass);
        Assert.Equal(80, sc.Index);
    }

    [Fact]
    public void MissingTextIsOnlyDeclaredAndQuantizedWeightsAreNotFullWeights()
    {
        using var dir = TinyLike(text: false, fileType: 7);
        var sc = LocalOpenness.Score(dir.Path);
        Assert.Equal(OpennessStatus.Declared, sc["training_data"].Status);
        Assert.Equal(OpennessStatus.Declared, sc["weights"].Status);
        Assert.Contains("Q8_0", sc["weights"].Note, StringComparison.Ordinal);
        Assert.Equal(3, sc.VerifiedCount);
    }

    [Fact]
    public void MissingFilesAreUnknownOrAbsent()
    {
        using var dir = new TempDir();
        var sc = LocalOpenness.Score(dir.Path);
        Assert.Equal(OpennessStatus.Absent, sc["weights"].Status);
        Assert.Equal(0, sc.OpenCount);
        Assert.Null(sc.MofClass);
        Assert.Equal(0, sc.Index);
    }

    [Fact]
    public void CatalogScorecardsFollowTheRules()
    {
        var c = ModelCatalog.BuiltIn;
        var olmo = Scorecard.FromCatalog(c.Find("olmo-7b")!);
        Assert.Equal("I Open Science", olmo.MofClass);
        Assert.Equal(67, olmo.Index); // 5 declared x 2 points of 15
        var mistral = Scorecard.FromCatalog(c.Find("mistral-7b")!);
        Assert.Equal("III Open Model", mistral.MofClass);
        Assert.Equal(13, mistral.Index); // weights declared: 2 of 15
        var llama = Scorecard.FromCatalog(c.Find("llama-2-7b")!);
        Assert.Null(llama.MofClass); // the Llama 2 licence is not an open licence
        Assert.Equal(20, llama.Index); // weights 1 (licence not open) + fine-tuning code 2, of 15
    }
}
