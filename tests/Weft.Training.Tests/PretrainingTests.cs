// Training from scratch: the learned tokenizer, the corpus split, a run that learns, bit-exact resume from a
// checkpoint, the metrics and chart files, and an exported GGUF that Weft and llama.cpp read with the same logits.
using System.Text.Json;
using System.Xml.Linq;
using Weft.Formats.Gguf;
using Weft.Models;
using Weft.TestKit;
using Weft.Tokenizers;
using Weft.Training.Pretraining;
using Xunit.Abstractions;

namespace Weft.Training.Tests;

public sealed class PretrainingTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("weft-pretrain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Subjects = ["the king", "the people", "his servant", "a prophet", "the lord"];
    private static readonly string[] Verbs = ["spake unto", "went up to", "blessed", "looked upon"];
    private static readonly string[] Objects = ["the city", "the house of david", "all israel", "the temple"];

    /// <summary>A learnable little scripture: books Aa, Bb, Cc of verses built from fixed phrases.</summary>
    private static string Verses(int seed, int perBook = 120)
    {
        var rng = new Random(seed);
        var lines = new List<string>();
        foreach (var book in new[] { "Aa", "Bb", "Cc" })
            for (int v = 1; v <= perBook; v++)
            {
                string s = $"{Subjects[rng.Next(Subjects.Length)]} {Verbs[rng.Next(Verbs.Length)]} {Objects[rng.Next(Objects.Length)]}.";
                lines.Add($"{book}{1 + v / 40}:{v} {char.ToUpperInvariant(s[0])}{s[1..]}");
            }
        return string.Join('\n', lines) + "\n";
    }

    private PretrainConfig Config(int steps, string outDir = "out", string type = "F32") => new()
    {
        Name = "pico",
        Data = new() { Path = "verses.txt", Format = "verses", ValidationBooks = ["Bb"] },
        Tokenizer = new() { VocabSize = 320 },
        Model = new() { Embedding = 32, Layers = 2, Heads = 4, KvHeads = 2, FeedForward = 64, Context = 48 },
        Training = new() { Steps = steps, BatchSequences = 4, SequenceLength = 48, LearningRate = 1e-2, WarmupSteps = 2, EvalEvery = 4, CheckpointEvery = 4, Threads = 2, Seed = 5 },
        Output = new() { Dir = outDir, Type = type },
        BaseDirectory = _dir,
    };

    private void WriteCorpus() => File.WriteAllText(Path.Combine(_dir, "verses.txt"), Verses(1));

    [Fact]
    public void The_learned_vocabulary_round_trips_any_text_and_makes_frequent_words_single_tokens()
    {
        string text = Verses(2).Replace("\n", " \n", StringComparison.Ordinal);
        var spec = SentencePieceTrainer.Train(text, 400);
        Assert.Equal(400, spec.Tokens.Length);
        Assert.Equal(spec.Tokens, SentencePieceTrainer.Train(text, 400).Tokens); // deterministic
        var tok = Tokenizer.Create(spec);
        foreach (var s in new[] { "The king blessed the temple.", "Zebra ünïcödé 😀 tabs\tand  spaces", "", "\n\nline" })
            Assert.Equal(s, tok.Decode(tok.Encode(s, addSpecial: false, parseSpecial: false)));
        Assert.Single(tok.Encode(" temple", addSpecial: false, parseSpecial: false));
        Assert.Single(tok.Encode(" israel", addSpecial: false, parseSpecial: false));
        Assert.Equal([SentencePieceTrainer.Bos], tok.Encode("", addSpecial: true, parseSpecial: false));
    }

    [Fact]
    public void Verses_lose_their_references_and_held_out_books_go_to_validation()
    {
        var c = TextCorpus.FromVerses(["Ge1:1 In the beginning.", "1Sm2:3 Hannah prayed.", "Ruth1:1 Now it came to pass."], ["Ruth"]);
        Assert.Equal("In the beginning.\nHannah prayed.", c.Train);
        Assert.Equal("Now it came to pass.", c.Validation);
        var bad = Assert.Throws<TrainingConfigException>(() => TextCorpus.FromVerses(["Ge1:1 fine", "no reference here"], []));
        Assert.Contains(":2:", bad.Message);
        Assert.Contains("Rev", Assert.Throws<TrainingConfigException>(() => TextCorpus.FromVerses(["Ge1:1 x"], ["Rev"])).Message);
    }

    [Fact]
    public void A_run_learns_and_writes_metrics_chart_evaluation_and_a_model_llama_cpp_reads_as_we_do()
    {
        WriteCorpus();
        var result = Pretrainer.Run(Config(steps: 24), resume: false, output.WriteLine);
        string outDir = Path.Combine(_dir, "out");
        var rows = MetricsLog.Read(Path.Combine(outDir, Pretrainer.MetricsFile));
        Assert.Equal(Enumerable.Range(1, 24), rows.Select(r => r.Step));
        Assert.Equal([4, 8, 12, 16, 20, 24], rows.Where(r => r.ValidationLoss.HasValue).Select(r => r.Step));
        double initial = Math.Log(320);
        output.WriteLine($"loss {rows[0].Loss:F3} -> {rows[^1].Loss:F3}, validation {result.ValidationLoss:F3} (uniform {initial:F3})");
        // The phrases are drawn from 5·4·4 choices: a model that learned them sits far below the uniform loss.
        Assert.True(result.ValidationLoss < initial - 2.5, $"validation loss {result.ValidationLoss}");

        var svg = XDocument.Parse(File.ReadAllText(Path.Combine(outDir, Pretrainer.ChartFile)));
        Assert.Equal(2, svg.Descendants().Count(e => e.Name.LocalName == "polyline"));
        Assert.Equal(6, svg.Descendants().Count(e => e.Name.LocalName == "circle" && e.Attribute("r")?.Value == "3.5") - 1);
        using var eval = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, Pretrainer.EvaluationFile)));
        Assert.Equal(Math.Exp(result.ValidationLoss), eval.RootElement.GetProperty("validation_perplexity").GetDouble(), tolerance: 0.002);

        using (var f = GgufFile.Open(result.ModelPath))
            Assert.Equal("llama", f.Get(MetadataKeys.Architecture).AsString(MetadataKeys.Architecture));
        Oracle.Require();
        var ids = new[] { SentencePieceTrainer.Bos, 300, 17, 250, 311, 290, 42 };
        var ours = Engine.Logits(result.ModelPath, ids);
        var theirs = Oracle.Logits(result.ModelPath, ids);
        var verdict = Agreement.Check(theirs, ours, 320, "f32", () => theirs);
        output.WriteLine(verdict.Detail);
        Assert.True(verdict.Passed, verdict.Detail);
    }

    [Fact]
    public void An_interrupted_run_resumes_from_its_checkpoint_to_the_same_bits()
    {
        WriteCorpus();
        var straight = Pretrainer.Run(Config(steps: 10, outDir: "straight"), resume: false);

        using var cancel = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() =>
            Pretrainer.Run(Config(steps: 10, outDir: "resumed"), resume: false, progress: p => { if (p.Step == 6) cancel.Cancel(); }, cancel: cancel.Token));
        // Interrupted after step 6: the checkpoint holds step 4, so steps 5 and 6 are redone.
        var resumed = Pretrainer.Run(Config(steps: 10, outDir: "resumed"), resume: true);
        Assert.Equal(4, resumed.ResumedFrom);
        Assert.Equal(File.ReadAllBytes(straight.ModelPath), File.ReadAllBytes(resumed.ModelPath));
        var a = MetricsLog.Read(Path.Combine(_dir, "straight", Pretrainer.MetricsFile));
        var b = MetricsLog.Read(Path.Combine(_dir, "resumed", Pretrainer.MetricsFile));
        Assert.Equal(a.Select(r => (r.Step, r.Loss, r.ValidationLoss)), b.Select(r => (r.Step, r.Loss, r.ValidationLoss)));
        Assert.Equal(straight.ValidationLoss, resumed.ValidationLoss);
    }

    [Fact]
    public void Resuming_a_finished_run_writes_the_model_again_with_new_facts_and_the_same_weights()
    {
        WriteCorpus();
        var first = Pretrainer.Run(Config(steps: 4), resume: false);
        byte[] before = File.ReadAllBytes(first.ModelPath);
        var again = Pretrainer.Run(Config(steps: 4) with { ChatTemplate = "{% for m in messages %}{{ m['content'] }}\n{% endfor %}" }, resume: true);
        Assert.Equal(4, again.ResumedFrom);
        Assert.Equal(first.ValidationLoss, again.ValidationLoss);
        using var f = GgufFile.Open(again.ModelPath);
        Assert.StartsWith("{% for m in messages %}", f.Get(MetadataKeys.ChatTemplate).AsString(MetadataKeys.ChatTemplate));
        Assert.NotEqual(before.Length, new FileInfo(again.ModelPath).Length);
        using var eval = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "out", Pretrainer.EvaluationFile)));
        Assert.Equal(4L * 4 * 47, eval.RootElement.GetProperty("train_tokens").GetInt64());
        Assert.True(eval.RootElement.GetProperty("training_seconds").GetDouble() > 0);
    }

    [Fact]
    public void A_checkpoint_from_another_configuration_is_refused()
    {
        WriteCorpus();
        Pretrainer.Run(Config(steps: 4), resume: false);
        var changed = Config(steps: 4) with { Training = Config(4).Training with { LearningRate = 0.5 } };
        var e = Assert.Throws<TrainingConfigException>(() => Pretrainer.Run(changed, resume: true));
        Assert.Contains("different run", e.Message);
    }

    [Fact]
    public void Config_files_name_what_is_wrong()
    {
        string path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, "{\"data\": {\"path\": \"x.txt\"}, \"model\": {\"embeding\": 64}}");
        Assert.Contains("embeding", Assert.Throws<TrainingConfigException>(() => PretrainConfig.Load(path)).Message);
        File.WriteAllText(path, "{\"data\": {\"path\": \"x.txt\"}, \"model\": {\"embedding\": 30, \"heads\": 4}}");
        Assert.Contains("multiple of model.heads", Assert.Throws<TrainingConfigException>(() => PretrainConfig.Load(path)).Message);
        File.WriteAllText(path, "{\"data\": {\"path\": \"x.txt\"}, \"training\": {\"sequence_length\": 1000}}");
        Assert.Contains("sequence_length", Assert.Throws<TrainingConfigException>(() => PretrainConfig.Load(path)).Message);
    }
}
