// --lora on run, chat and logits, and `weft merge`: the files they write equal the engine's results, and adapters
// that do not fit are user errors naming the tensor.
using System.Runtime.InteropServices;
using Weft.Models.Adapters;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Cli.Tests;

public sealed class LoraVerbTests : IDisposable
{
    private static readonly SyntheticModelSpec Spec = new() { Name = "cli-lora", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 96, Seed = 57 };
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-lora-").FullName;
    private readonly string _model = TinyModels.Write(Spec);
    private readonly string _adapter;
    private readonly int[] _ids = TinyModels.RandomPrompt(Spec.VocabSize, 7, 4);

    public LoraVerbTests() => _adapter = RandomAdapters.Write(_model, RandomAdapters.AllProjections(_model), rank: 4, alpha: 8, seed: 9);

    public void Dispose()
    {
        File.Delete(_adapter);
        Directory.Delete(_dir, recursive: true);
    }

    private float[] CliLogits(string model, params string[] extra)
    {
        string output = Path.Combine(_dir, $"{Guid.NewGuid():N}.f32");
        var r = WeftProcess.Run(["logits", model, "--ids", string.Join(',', _ids), "--out", output, "-t", "1", .. extra]);
        Assert.True(r.Exit == 0, r.Stderr);
        return MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
    }

    [Fact]
    public void Logits_with_lora_and_scale_equal_the_engine()
    {
        var plain = CliLogits(_model);
        var withLora = CliLogits(_model, "--lora", _adapter, "--lora-scale", "0.5");
        var engine = Engine.Logits(_model, _ids, [new LoraSpec(_adapter, 0.5f)]);
        Assert.True(LogitMetrics.Nmse(engine, withLora) < 1e-10);
        Assert.True(LogitMetrics.Nmse(plain, withLora) > 1e-4, "--lora changed nothing");
    }

    [Fact]
    public void Run_and_chat_take_lora()
    {
        string ids = string.Join(',', _ids);
        var plain = WeftProcess.Run("run", _model, "--prompt-ids", ids, "--ids", "--temp", "0", "-n", "8", "-t", "1");
        var adapted = WeftProcess.Run("run", _model, "--prompt-ids", ids, "--ids", "--temp", "0", "-n", "8", "-t", "1", "--lora", _adapter, "--lora-scale", "4");
        Assert.True(plain.Exit == 0 && adapted.Exit == 0, plain.Stderr + adapted.Stderr);
        Assert.NotEqual(plain.Stdout, adapted.Stdout);
        var chat = WeftProcess.RunWithInput("hello\n", "chat", _model, "--temp", "0", "-n", "4", "-t", "1", "--lora", _adapter);
        Assert.True(chat.Exit == 0, chat.Stderr);
    }

    [Fact]
    public void An_adapter_of_another_model_is_a_user_error_naming_the_tensor()
    {
        string other = TinyModels.Write(Spec with { Name = "cli-lora-wide", Embedding = 96 });
        var r = WeftProcess.Run("logits", other, "--ids", "1,2", "--out", Path.Combine(_dir, "x.f32"), "--lora", _adapter);
        WeftProcess.AssertUserError(r, "does not fit 'blk.0.attn_k.weight'");
        Assert.Contains("ne [96, 48]", r.Stderr);
        WeftProcess.AssertUserError(WeftProcess.Run("merge", other, _adapter, Path.Combine(_dir, "m.gguf")), "'blk.0.attn_k.weight'");
        Assert.False(File.Exists(Path.Combine(_dir, "m.gguf")));
    }

    [Fact]
    public void Lora_flags_are_checked()
    {
        WeftProcess.AssertUserError(WeftProcess.Run("logits", _model, "--ids", "1", "--out", Path.Combine(_dir, "x.f32"), "--lora-scale", "2"), "--lora-scale needs a --lora");
        WeftProcess.AssertUserError(WeftProcess.Run("logits", _model, "--ids", "1", "--out", Path.Combine(_dir, "x.f32"), "--lora", _adapter, "--lora", _adapter,
            "--lora-scale", "1", "--lora-scale", "2", "--lora-scale", "3"), "3 --lora-scale values for 2 --lora adapters");
        WeftProcess.AssertUserError(WeftProcess.Run("logits", _model, "--ids", "1", "--out", Path.Combine(_dir, "x.f32"), "--lora", _model), "is not a LoRA adapter");
    }

    [Fact]
    public void Merge_writes_a_model_with_the_adapters_logits()
    {
        string merged = Path.Combine(_dir, "merged.gguf");
        var r = WeftProcess.Run("merge", _model, _adapter, merged, "--lora-scale", "0.5");
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Contains("15 weights merged", r.Stderr); // 2 layers × 7 projections, and the output head
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp*"));
        var expected = Engine.Logits(_model, _ids, [new LoraSpec(_adapter, 0.5f)]);
        Assert.True(LogitMetrics.Nmse(expected, CliLogits(merged)) <= Tolerances.F32Nmse);

        string q8 = Path.Combine(_dir, "merged-q8.gguf");
        Assert.Equal(0, WeftProcess.Run("merge", _model, _adapter, q8, "--type", "q8_0").Exit);
        Assert.True(new FileInfo(q8).Length < new FileInfo(merged).Length);
        WeftProcess.AssertUserError(WeftProcess.Run("merge", _model, _adapter, q8, "--type", "nonsense"), "--type: 'nonsense'");
    }

    [Fact]
    public void Help_lists_the_options()
    {
        var merge = WeftProcess.Run("merge", "--help");
        foreach (var o in new[] { "--lora-scale", "--type", "BASE", "ADAPTER", "OUT" }) Assert.Contains(o, merge.Stdout);
        foreach (var verb in new[] { "run", "chat", "logits", "serve" })
        {
            var help = WeftProcess.Run(verb, "--help");
            Assert.Contains("--lora", help.Stdout);
            Assert.Contains("--lora-scale", help.Stdout);
        }
        var finetune = WeftProcess.Run("finetune", "--help");
        foreach (var o in new[] { "--data", "--out", "--rank", "--alpha", "--dropout", "--targets", "--epochs", "--lr", "--batch", "--accumulate", "--max-tokens", "--seed", "--threads" })
            Assert.Contains(o, finetune.Stdout);
    }
}
