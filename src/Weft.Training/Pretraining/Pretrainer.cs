// `weft train`: a llama-architecture model trained from scratch on a text corpus. Learns (or, on resume, reloads)
// the tokenizer, then takes optimizer steps over random BOS-led windows, evaluating on the held-out text, writing
// metrics (JSONL), the loss chart (SVG) and a checkpoint as it goes, and the GGUF at the end.
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Weft.Formats.Gguf;
using Weft.Models.Loading;
using Weft.Tensors.Threading;
using Weft.Tokenizers;
using Weft.Training.Modeling;
using Weft.Training.Optimization;

namespace Weft.Training.Pretraining;

public readonly record struct PretrainProgress(int Step, int TotalSteps, double Loss, double? ValidationLoss, double LearningRate,
    double GradNorm, double TokensPerSecond, TimeSpan Elapsed, TimeSpan Remaining);

/// <param name="ValidationLoss">mean loss per token over the whole validation text at the end.</param>
public sealed record PretrainResult(string ModelPath, long Parameters, int Steps, long TrainTokens, double ValidationLoss,
    double TokensPerSecond, TimeSpan Elapsed, int ResumedFrom);

public static class Pretrainer
{

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public const string CheckpointFile = "checkpoint.bin", MetricsFile = "metrics.jsonl", ChartFile = "loss.svg",
        TokenizerFile = "tokenizer.gguf", EvaluationFile = "eval.json";

    public static PretrainResult Run(PretrainConfig config, bool resume, Action<string>? log = null,
        Action<PretrainProgress>? progress = null, CancellationToken cancel = default)
    {
        config.Validate();
        var t = config.Training;
        string dir = config.Resolve(config.Output.Dir);
        Directory.CreateDirectory(dir);
        string Out(string file) => Path.Combine(dir, file);

        var corpus = TextCorpus.Load(config.Resolve(config.Data.Path), config.Data.Format, config.Data.ValidationBooks, config.Data.ValidationEvery);
        log?.Invoke($"corpus: {corpus.TrainLines} training lines ({corpus.Train.Length} chars), {corpus.ValidationLines} validation lines");
        string fingerprint = Fingerprint(config, corpus);
        bool resuming = resume && File.Exists(Out(CheckpointFile)) && File.Exists(Out(TokenizerFile));
        var vocabulary = resuming ? ReadVocabulary(Out(TokenizerFile)) : TrainVocabulary(config, corpus, Out(TokenizerFile), log);
        var tokenizer = Tokenizer.Create(vocabulary);
        var train = TokenStream.Build(corpus.Train, tokenizer, SentencePieceTrainer.Bos);
        var validation = TokenStream.Build(corpus.Validation, tokenizer, SentencePieceTrainer.Bos);
        log?.Invoke($"tokens: {train.Tokens.Length} training, {validation.Tokens.Length} validation ({vocabulary.Tokens.Length}-token vocabulary)");

        using var pool = new WorkerPool(t.Threads > 0 ? t.Threads : Environment.ProcessorCount);
        var model = TrainingModel<float>.CreateRandom(config.ToModelConfig(vocabulary.Tokens.Length), t.Seed, pool);
        long parameters = model.Parameters.Sum(p => (long)p.Value.Length);
        var trainer = new Trainer<float>(model, new TrainerOptions
        {
            Schedule = new LearningRateSchedule(t.LearningRate, t.WarmupSteps, t.Steps, t.LearningRate * t.MinLearningRateShare),
            ClipNorm = t.ClipNorm,
            AdamW = new AdamWOptions { WeightDecay = t.WeightDecay, Beta2 = 0.99 },
        });
        log?.Invoke($"model: {parameters} parameters, {config.Model.Layers} layers, embedding {config.Model.Embedding}, {pool.ThreadCount} threads");

        int start = 0;
        var rows = new List<MetricsRow>(); // every step's row so far, for the chart and eval.json
        if (resuming)
        {
            start = TrainingCheckpoint.Load(Out(CheckpointFile), trainer.Optimizer, fingerprint);
            rows = MetricsLog.TruncateAfter(Out(MetricsFile), start);
            log?.Invoke($"resumed at step {start}");
        }
        else
        {
            File.Delete(Out(MetricsFile));
            File.Delete(Out(CheckpointFile));
        }
        var evalWindows = validation.EvaluationWindows(t.SequenceLength, t.EvalWindows);
        var clock = Stopwatch.StartNew();
        long tokens = 0;
        using (var metrics = new StreamWriter(Out(MetricsFile), append: true))
        {
            for (int step = start; step < t.Steps; step++)
            {
                cancel.ThrowIfCancellationRequested();
                var batch = TokenBatch.From(train.TrainingWindows(step, t.BatchSequences, t.SequenceLength, t.Seed));
                var r = trainer.TrainStep(batch);
                tokens += r.Tokens;
                bool last = step + 1 == t.Steps;
                double? val = (step + 1) % t.EvalEvery == 0 || last ? model.MeanLoss(evalWindows) : null;
                double perSecond = tokens / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                var row = new MetricsRow
                {
                    Step = step + 1, Loss = r.Loss, ValidationLoss = val, LearningRate = r.LearningRate, GradNorm = r.GradNorm,
                    TokensPerSecond = Math.Round(perSecond, 1), ElapsedSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
                };
                metrics.WriteLine(MetricsLog.Format(row));
                rows.Add(row);
                if ((step + 1) % t.CheckpointEvery == 0 || last)
                {
                    metrics.Flush();
                    TrainingCheckpoint.Save(Out(CheckpointFile), trainer.Optimizer, step + 1, fingerprint);
                    WriteChart(Out(ChartFile), rows, config.Name);
                }
                double secondsPerStep = clock.Elapsed.TotalSeconds / (step + 1 - start);
                progress?.Invoke(new PretrainProgress(step + 1, t.Steps, r.Loss, val, r.LearningRate, r.GradNorm, perSecond,
                    clock.Elapsed, TimeSpan.FromSeconds(secondsPerStep * (t.Steps - step - 1))));
            }
        }
        WriteChart(Out(ChartFile), rows, config.Name);
        double finalLoss = model.MeanLoss(validation.EvaluationWindows(t.SequenceLength));
        string modelPath = Out(config.Name + ".gguf");
        ModelExport.Write(modelPath, model, vocabulary, config.Name, config.Output.Type == "F16", config.General, config.ChatTemplate);
        var result = new PretrainResult(modelPath, parameters, t.Steps, tokens, finalLoss, tokens / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), clock.Elapsed, start);
        WriteEvaluation(Out(EvaluationFile), result, validation, config, rows);
        return result;
    }

    private static VocabularySpec TrainVocabulary(PretrainConfig config, TextCorpus corpus, string path, Action<string>? log)
    {
        var clock = Stopwatch.StartNew();
        var spec = SentencePieceTrainer.Train(corpus.Train, config.Tokenizer.VocabSize) with { ModelName = config.Name, Architecture = "llama" };
        var w = new GgufWriter();
        foreach (var kv in TokenizerMetadata.ToGguf(spec)) w.Set(kv.Key, kv.Value);
        w.Write(path);
        log?.Invoke($"tokenizer: {spec.Tokens.Length} tokens learned in {clock.Elapsed.TotalSeconds:F1} s");
        return spec;
    }

    private static VocabularySpec ReadVocabulary(string path)
    {
        using var f = GgufFile.Open(path);
        return GgufTokenizerLoader.ReadSpec(f);
    }

    private static void WriteChart(string chartPath, IReadOnlyList<MetricsRow> rows, string name)
    {
        string tmp = chartPath + ".tmp";
        File.WriteAllText(tmp, LossChart.Render(rows, $"{name}: loss per token"));
        File.Move(tmp, chartPath, overwrite: true);
    }

    private static void WriteEvaluation(string path, PretrainResult r, TokenStream validation, PretrainConfig config, IReadOnlyList<MetricsRow> rows)
    {
        // Whole-run figures from the metrics: a resumed run's rows restart their clock, so the segments are summed.
        double seconds = 0, segment = 0;
        foreach (var row in rows)
        {
            if (row.ElapsedSeconds < segment) seconds += segment;
            segment = row.ElapsedSeconds;
        }
        seconds += segment;
        long tokens = (long)r.Steps * config.Training.BatchSequences * (config.Training.SequenceLength - 1);
        var o = new
        {
            validation_books = config.Data.ValidationBooks,
            validation_tokens = validation.Tokens.Length,
            sequence_length = config.Training.SequenceLength,
            validation_loss = Math.Round(r.ValidationLoss, 4),
            validation_perplexity = Math.Round(Math.Exp(r.ValidationLoss), 3),
            parameters = r.Parameters,
            steps = r.Steps,
            train_tokens = tokens,
            training_seconds = Math.Round(seconds, 1),
            tokens_per_second = seconds > 0 ? Math.Round(tokens / seconds, 1) : 0,
            threads = config.Training.Threads > 0 ? config.Training.Threads : Environment.ProcessorCount,
        };
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(o, Indented) + "\n");
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>What a checkpoint must agree with: the settings that change the run's results, and the data (not the
    /// facts only written into the GGUF, so those can change and `--resume` of a finished run writes the file again).</summary>
    private static string Fingerprint(PretrainConfig config, TextCorpus corpus)
    {
        var significant = config with { Output = config.Output with { Dir = "" }, Training = config.Training with { Threads = 0 }, General = [], ChatTemplate = null };
        var text = JsonSerializer.Serialize(significant, PretrainConfig.Json) + "\n" + corpus.Train + "\n" + corpus.Validation;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
