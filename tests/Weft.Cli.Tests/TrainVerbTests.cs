// `weft train --config`: a tiny run from the command line writes the model and its records; a bad config is a
// user error that names the field.
namespace Weft.Cli.Tests;

public sealed class TrainVerbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-train-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteConfig(string modelSection)
    {
        var lines = new List<string>();
        string[] books = ["Aa", "Bb"];
        for (int i = 0; i < 160; i++)
            lines.Add($"{books[i % 2]}1:{i + 1} And the {(i % 3 == 0 ? "king" : "people")} went up to the {(i % 5 == 0 ? "city" : "house")}.");
        File.WriteAllLines(Path.Combine(_dir, "verses.txt"), lines);
        string config = Path.Combine(_dir, "config.json");
        File.WriteAllText(config, $$"""
            {
              "name": "cli-pico",
              "data": { "path": "verses.txt", "format": "verses", "validation_books": ["Bb"] },
              "tokenizer": { "vocab_size": 300 },
              "model": {{modelSection}},
              "training": { "steps": 50, "batch_sequences": 2, "sequence_length": 32, "eval_every": 2, "checkpoint_every": 2, "threads": 1 },
              "output": { "dir": "out" }
            }
            """);
        return config;
    }

    [Fact]
    public void A_short_run_writes_the_model_metrics_chart_and_evaluation()
    {
        string config = WriteConfig("""{ "embedding": 32, "layers": 1, "heads": 4, "kv_heads": 2, "feed_forward": 48, "context": 32 }""");
        var r = WeftProcess.Run("train", "--config", config, "--steps", "3");
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Contains("step 3/3", r.Stderr);
        Assert.Contains("tok/s", r.Stderr);
        Assert.Contains("validation loss", r.Stdout);
        foreach (var f in new[] { "cli-pico.gguf", "metrics.jsonl", "loss.svg", "eval.json", "checkpoint.bin", "tokenizer.gguf" })
            Assert.True(File.Exists(Path.Combine(_dir, "out", f)), f);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(_dir, "out", "metrics.jsonl")).Length);

        var run = WeftProcess.Run("run", Path.Combine(_dir, "out", "cli-pico.gguf"), "--prompt", "And the king", "-n", "4", "--temp", "0");
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.NotEmpty(run.Stdout);
    }

    [Fact]
    public void A_misspelt_field_is_named()
    {
        string config = WriteConfig("""{ "embeding": 32 }""");
        var r = WeftProcess.Run("train", "--config", config);
        Assert.Equal(1, r.Exit);
        Assert.Contains("weft: error:", r.Stderr);
        Assert.Contains("embeding", r.Stderr);
    }
}
