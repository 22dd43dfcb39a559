// weft-tiny ships beside the binary: `weft run` uses it when no model is named, and llama.cpp reads the very same
// file with the same logits.
using Weft.TestKit;

namespace Weft.Cli.Tests;

public sealed class DefaultModelTests
{
    private static string Bundled => Path.Combine(AppContext.BaseDirectory, "models", "weft-tiny.gguf");

    [Fact]
    public void Run_without_a_model_uses_weft_tiny()
    {
        Assert.True(File.Exists(Bundled), $"the build did not copy weft-tiny to {Bundled}");
        var r = WeftProcess.Run("run", "--prompt", "And God said", "-n", "12", "--temp", "0");
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.True(r.Stdout.Trim().Length >= 12, r.Stdout); // 12 tokens of the model's text
        var same = WeftProcess.Run("run", Bundled, "--prompt", "And God said", "-n", "12", "--temp", "0");
        Assert.Equal(same.Stdout, r.Stdout);
    }

    [Fact]
    public void Llama_cpp_reads_weft_tiny_with_our_logits()
    {
        Oracle.Require();
        var ids = new[] { 1, 400, 1234, 57, 3000, 999, 12, 2048, 77, 4095, 300, 5 };
        var ours = Engine.Logits(Bundled, ids);
        var theirs = Oracle.Logits(Bundled, ids);
        var verdict = Agreement.Check(theirs, ours, ours.Length / ids.Length, "f16", () => theirs);
        Assert.True(verdict.Passed, verdict.Detail);
    }
}
