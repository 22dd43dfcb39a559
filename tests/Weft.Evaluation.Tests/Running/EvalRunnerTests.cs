// The runner over real validation sets: PIQA and HellaSwag items scored, metrics (and scoring speed) consistent with the items, a model
// that fails to load recorded while the others run, results handed over as each finishes, finished pairs skipped.
using Weft.Evaluation.Models;
using Weft.Evaluation.Results;
using Weft.Evaluation.Running;
using Weft.Evaluation.Tasks;

namespace Weft.Evaluation.Tests.Running;

public sealed class EvalRunnerTests
{
    private static EvalOptions Options(params string[] tasks) => new()
    {
        Tasks = tasks.Select(BuiltinTasks.Resolve).ToList(),
        Limit = 12,
        DataFolders = [Path.Combine(TestKit.Oracle.SharedFolder, "eval-data")],
        Threads = 2,
        MeasureSpeed = false,
    };

    private static EvalRunner Runner(EvalOptions o, List<TaskRun> runs, List<ModelFacts> models) =>
        new(o, new ProgressLine(TextWriter.Null, false), TextWriter.Null) { RunFinished = runs.Add, ModelFinished = models.Add };

    [Fact]
    public void Piqa_and_hellaswag_from_the_published_files_score_every_item()
    {
        var runs = new List<TaskRun>();
        var models = new List<ModelFacts>();
        var report = Runner(Options("piqa", "hellaswag"), runs, models).Run([new ModelSpec(EvalFixtures.LlamaVocabModel(), [])]);
        Assert.Equal(2, runs.Count);
        foreach (var run in report.Runs)
        {
            Assert.Null(run.Error);
            Assert.Equal(12, run.Items.Count);
            int choices = run.Task == "piqa" ? 2 : 4;
            Assert.All(run.Items, i => { Assert.Equal(choices, i.Ll.Length); Assert.All(i.NTokens, n => Assert.True(n > 0)); });
            // acc is the share of items whose highest log-likelihood is the gold one.
            double acc = run.Items.Count(i => Array.IndexOf(i.Ll, i.Ll.Max()) == i.Gold) / 12.0;
            Assert.Equal(acc, run.Metrics["acc"], 9);
            Assert.Equal(1.0 / choices, run.Metrics["chance"], 9);
            Assert.InRange(run.Metrics["acc_norm"], 0, 1);
            // Speed: every continuation token is scored once; each needs the position before it run through the model.
            long scored = run.Items.Sum(i => (long)i.NTokens.Sum());
            Assert.Equal(scored, run.Metrics[ScoringSpeed.ScoredTokens]);
            Assert.True(run.Metrics[ScoringSpeed.EvaluatedTokens] >= scored, $"{run.Metrics[ScoringSpeed.EvaluatedTokens]} evaluated < {scored} scored");
            Assert.Equal(scored / run.Seconds, run.Metrics[ScoringSpeed.ScoredPerSecond], 9);
            Assert.Equal(run.Metrics[ScoringSpeed.EvaluatedTokens] / run.Seconds, run.Metrics[ScoringSpeed.EvaluatedPerSecond], 9);
        }
        var facts = Assert.Single(models);
        Assert.True(facts.Parameters > 0);
        Assert.Equal("F32", facts.WeightType);
    }

    [Fact]
    public void A_model_that_fails_to_load_is_recorded_and_the_run_goes_on()
    {
        string bad = Path.Combine(Path.GetTempPath(), $"weft-broken-{Guid.NewGuid():N}.gguf");
        File.WriteAllBytes(bad, [(byte)'G', (byte)'G', (byte)'U', (byte)'F', 3, 0, 0]);
        try
        {
            var runs = new List<TaskRun>();
            var models = new List<ModelFacts>();
            var report = Runner(Options("piqa"), runs, models).Run([new ModelSpec(bad, []), new ModelSpec(EvalFixtures.Model("llama"), [])]);
            Assert.NotNull(report.Models[0].Error);
            Assert.Null(report.Models[1].Error);
            Assert.Single(report.Runs);
            Assert.Null(report.Runs[0].Error);
        }
        finally { File.Delete(bad); }
    }

    [Fact]
    public void Finished_pairs_are_skipped_and_a_task_failing_on_a_model_is_recorded()
    {
        string model = EvalFixtures.Model("llama");
        string name = new ModelSpec(model, []).Name;
        var runs = new List<TaskRun>();
        var o = Options("piqa", "perplexity") with
        {
            AlreadyDone = (m, t) => m == name && t == "piqa",
            DataFiles = new Dictionary<string, string> { ["perplexity"] = EvalFixtures.WriteText("too short") },
        };
        var report = Runner(o, runs, []).Run([new ModelSpec(model, [])]);
        var run = Assert.Single(report.Runs);
        Assert.Equal("perplexity", run.Task);
        Assert.Contains("needs at least", run.Error);
    }

    [Fact]
    public void Missing_data_is_an_error_before_any_model_runs()
    {
        var o = Options("arc_easy") with { DataFolders = [Path.GetTempPath()] };
        var e = Assert.Throws<Weft.Evaluation.Data.TaskDataException>(() => Runner(o, [], []).Run([new ModelSpec("never-loaded.gguf", [])]));
        Assert.Contains("--data", e.Message);
    }

    [Fact]
    public void Kld_against_a_base_is_its_own_run()
    {
        string model = EvalFixtures.Model("llama");
        var o = Options("perplexity") with
        {
            Limit = 2,
            Context = 64,
            DataFiles = new Dictionary<string, string> { [""] = EvalFixtures.WriteText(EvalFixtures.EnglishText(12)) },
            KldBase = new ModelSpec(model, []),
        };
        // The same weights under another file name: the base itself gets no KLD run, the copy does.
        string copy = model.Replace("-f32.gguf", "-copy-f32.gguf");
        if (!File.Exists(copy)) File.Copy(model, copy);
        var report = Runner(o, [], []).Run([new ModelSpec(model, []), new ModelSpec(copy, [])]);
        Assert.DoesNotContain(report.Runs, r => r.Model == new ModelSpec(model, []).Name && r.Task.EndsWith(":kld"));
        var kld = Assert.Single(report.Runs, r => r.Task == EvalRunner.KldTaskName("perplexity"));
        Assert.Null(kld.Error);
        // The model against itself: no divergence, same top token everywhere.
        Assert.True(Math.Abs(kld.Metrics["kld_mean"]) < 1e-6, $"kld_mean {kld.Metrics["kld_mean"]}");
        Assert.Equal(1.0, kld.Metrics["same_top"]);
    }
}
