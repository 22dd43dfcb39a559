// `weft eval`: a local model and an adapter on PIQA from its published file, the --json file and the database written
// as results come, --resume skipping what is done, a broken model reported while the others run, bad flags refused.
using System.Text.Json;
using Weft.Evaluation.Storage;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Cli.Tests;

public sealed class EvalVerbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Model() => TinyModels.Write(new SyntheticModelSpec
    {
        Name = "cli-eval", Embedding = 64, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 128, Seed = 91, Context = 512,
    }.WithLlamaVocabulary());

    private static string Piqa => Path.Combine(Oracle.SharedFolder, "eval-data", "piqa_valid.jsonl.gz");

    [Fact]
    public void Writes_results_as_they_come_and_resumes()
    {
        string json = Path.Combine(_dir, "r.json"), db = Path.Combine(_dir, "weft.db"), broken = Path.Combine(_dir, "broken.gguf");
        File.WriteAllText(broken, "GGUF nonsense");
        var r = WeftProcess.Run("eval", Model(), broken, "--task", "piqa", "--data", Piqa, "--limit", "6", "--json", json, "--db", db, "--no-speed", "-t", "2");
        Assert.True(r.Exit == 2, $"exit {r.Exit}: {r.Stderr}"); // 2: something failed (the broken model), the rest ran
        Assert.Contains("broken", r.Stderr);
        Assert.Contains("| cli-eval", r.Stdout);
        using (var doc = JsonDocument.Parse(File.ReadAllText(json)))
        {
            var run = Assert.Single(doc.RootElement.GetProperty("runs").EnumerateArray());
            Assert.Equal("piqa", run.GetProperty("task").GetString());
            Assert.Equal(6, run.GetProperty("items").GetArrayLength());
            Assert.Equal(2, run.GetProperty("items")[0].GetProperty("ll").GetArrayLength());
        }
        using (var store = ResultStore.Open(db)) Assert.Single(store.Runs("piqa"));

        var again = WeftProcess.Run("eval", Model(), "--task", "piqa", "--data", Piqa, "--limit", "6", "--json", json, "--resume", "--no-store", "--no-speed");
        Assert.True(again.Exit == 0 || again.Exit == 2, again.Stderr);
        Assert.Contains("already done", again.Stderr);
    }

    [Fact]
    public void Refuses_a_task_it_does_not_know_and_missing_models()
    {
        var r = WeftProcess.Run("eval", Model(), "--task", "no-such-task");
        Assert.Equal(1, r.Exit);
        Assert.StartsWith("weft: error:", r.Stderr);
        var none = WeftProcess.Run("eval", "--task", "piqa");
        Assert.Equal(1, none.Exit);
        Assert.Contains("at least one model", none.Stderr);
    }
}
