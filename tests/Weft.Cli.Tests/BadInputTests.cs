// Broken, lying or unsupported model files give `weft: error: …` naming the problem, never a crash.
using Weft.Formats.Gguf;
using Weft.Models.Synthetic;
using Weft.TestKit;
using Xunit.Abstractions;

namespace Weft.Cli.Tests;

public class BadInputTests(ITestOutputHelper output)
{
    private static readonly SyntheticModelSpec Spec = new() { Name = "cli-bad", Embedding = 64, Heads = 2, KvHeads = 1, Layers = 1, FeedForward = 96, Seed = 51 };

    private static string Variant(string name, Action<byte[]>? mutate = null, int? truncate = null)
    {
        var bytes = File.ReadAllBytes(TinyModels.Write(Spec));
        mutate?.Invoke(bytes);
        string path = Path.Combine(TinyModels.Folder, $"bad-{name}-{Guid.NewGuid():N}.gguf");
        File.WriteAllBytes(path, truncate is int n ? bytes[..n] : bytes);
        return path;
    }

    [Fact]
    public void MissingFile() => WeftProcess.AssertUserError(WeftProcess.Run("inspect", "/nonexistent/model.gguf"), "no such file");

    [Fact]
    public void WrongMagic() => WeftProcess.AssertUserError(WeftProcess.Run("inspect", Variant("magic", b => b[0] = (byte)'X')), "not a GGUF file");

    [Fact]
    public void UnsupportedVersion() => WeftProcess.AssertUserError(WeftProcess.Run("inspect", Variant("version", b => b[4] = 9)), "version 9");

    [Fact]
    public void TruncatedData()
    {
        long length = new FileInfo(TinyModels.Write(Spec)).Length;
        WeftProcess.AssertUserError(WeftProcess.Run("inspect", Variant("trunc", truncate: (int)(length - 100))), "past the end");
    }

    [Fact]
    public void TruncatedHeader() => WeftProcess.AssertUserError(WeftProcess.Run("inspect", Variant("trunc-head", truncate: 40)), "bytes left in the file");

    [Fact]
    public void UnknownArchitectureIsNamed()
    {
        string path = Rewrite("arch", w => w.Set("general.architecture", "mystery"));
        var r = WeftProcess.Run("logits", path, "--ids", "1,2", "--out", path + ".out");
        WeftProcess.AssertUserError(r, "'mystery' is not supported (supported: ");
        Assert.Contains("llama", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingTensorIsNamed()
    {
        string path = Rewrite("missing", null, skip: "blk.0.attn_k.weight");
        WeftProcess.AssertUserError(WeftProcess.Run("logits", path, "--ids", "1,2", "--out", path + ".out"), "'blk.0.attn_k.weight' is missing");
    }

    [Fact]
    public void MissingKeyIsNamed()
    {
        string path = Rewrite("nokey", null, dropKey: "llama.embedding_length");
        WeftProcess.AssertUserError(WeftProcess.Run("logits", path, "--ids", "1,2", "--out", path + ".out"), "'llama.embedding_length' is missing");
    }

    [Fact]
    public void TokenOutsideTheVocabulary()
    {
        string path = TinyModels.Write(Spec);
        WeftProcess.AssertUserError(WeftProcess.Run("logits", path, "--ids", "1,99999", "--out", Path.GetTempFileName()), "outside the vocabulary");
    }

    [Fact]
    public void MalformedIds() => WeftProcess.AssertUserError(WeftProcess.Run("logits", TinyModels.Write(Spec), "--ids", "1,x", "--out", "/tmp/x.f32"), "'x' is not a token id");

    [Fact]
    public void RandomMutationsNeverCrashTheCommand()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var original = File.ReadAllBytes(TinyModels.Write(Spec));
        using var file = GgufFile.Open(TinyModels.Write(Spec));
        int header = (int)file.DataOffset;
        for (int i = 0; i < 24; i++)
        {
            var bytes = (byte[])original.Clone();
            int flips = rng.Next(1, 6);
            for (int f = 0; f < flips; f++) bytes[rng.Next(header)] = (byte)rng.Next(256);
            string path = Path.Combine(TinyModels.Folder, $"mut-{seed}-{i}.gguf");
            File.WriteAllBytes(path, rng.Next(4) == 0 ? bytes[..rng.Next(bytes.Length)] : bytes);
            var r = WeftProcess.Run("logits", path, "--ids", "1,2,3", "--out", path + ".out");
            Assert.True(r.Exit == 0 || r.Stderr.StartsWith("weft: error: ", StringComparison.Ordinal), $"seed {seed} case {i}: exit {r.Exit}\n{r.Stderr}");
            Assert.DoesNotContain("Unhandled exception", r.Stderr, StringComparison.Ordinal);
            File.Delete(path);
            File.Delete(path + ".out");
        }
    }

    /// <summary>The spec's model rewritten through our writer with one change.</summary>
    private static string Rewrite(string name, Action<GgufWriter>? change, string? skip = null, string? dropKey = null)
    {
        using var src = GgufFile.Open(TinyModels.Write(Spec));
        var w = new GgufWriter();
        w.CopyMetadata(src, k => k != dropKey);
        change?.Invoke(w);
        foreach (var t in src.Tensors)
            if (t.Name != skip) w.AddTensor(t.Name, t.Type, t.Shape, src.TensorBytes(t).ToArray());
        string path = Path.Combine(TinyModels.Folder, $"rewrite-{name}-{Guid.NewGuid():N}.gguf");
        w.Write(path);
        return path;
    }
}
