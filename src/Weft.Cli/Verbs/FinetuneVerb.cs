// weft finetune BASE --data train.jsonl --out adapter.gguf: trains a LoRA adapter over a frozen base and writes it
// in llama.cpp's adapter layout; progress (loss, tokens/s, ETA) goes to stderr.
using System.CommandLine;
using System.Globalization;
using Weft.Inference.Chat;
using Weft.Inference.Templates;
using Weft.Models;
using Weft.Tensors.Threading;
using Weft.Training.Data;
using Weft.Training.FineTuning;
using Weft.Training.Modeling;

namespace Weft.Cli.Verbs;

internal static class FinetuneVerb
{
    public static Command Create()
    {
        var model = Common.ModelArgument();
        var data = new Option<string>("--data") { Description = "training data: .jsonl rows {\"messages\":[{\"role\",\"content\"},…]}, {\"prompt\",\"completion\"} or {\"text\"}, else plain text", Required = true };
        var template = new Option<string?>("--template") { Description = "chat template for \"messages\" rows: a built-in name or a Jinja file (default: the model's own, else chatml)" };
        var output = new Option<string>("--out") { Description = "the adapter file to write", Required = true };
        var rank = new Option<int>("--rank") { Description = "LoRA rank", DefaultValueFactory = _ => 8 };
        var alpha = new Option<float>("--alpha") { Description = "LoRA alpha (the update is scaled by alpha/rank)", DefaultValueFactory = _ => 16 };
        var dropout = new Option<float>("--dropout") { Description = "dropout on the LoRA input while training", DefaultValueFactory = _ => 0 };
        var targets = new Option<string>("--targets") { Description = "projections to adapt: q,k,v,o,gate,up,down or all", DefaultValueFactory = _ => "q,k,v,o" };
        var epochs = new Option<int>("--epochs") { Description = "passes over the data", DefaultValueFactory = _ => 1 };
        var lr = new Option<double>("--lr") { Description = "peak learning rate (warm-up, then cosine decay)", DefaultValueFactory = _ => 1e-3 };
        var batch = new Option<int>("--batch") { Description = "examples per forward/backward pass", DefaultValueFactory = _ => 4 };
        var accumulate = new Option<int>("--accumulate") { Description = "passes accumulated into one optimizer step", DefaultValueFactory = _ => 1 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "longest example in tokens (longer rows are cut)", DefaultValueFactory = _ => 512 };
        var seed = new Option<int>("--seed") { Description = "seed for initialization, shuffling and dropout", DefaultValueFactory = _ => 1 };
        var valData = new Option<string?>("--val-data") { Description = "held-out examples (same formats as --data) measured during training" };
        var valSplit = new Option<double>("--val-split") { Description = "share of --data held out for validation when --val-data is not given (e.g. 0.1)", DefaultValueFactory = _ => 0 };
        var evalEvery = new Option<int>("--eval-every") { Description = "steps between validation measurements (default: once per epoch)" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "steps between checkpoints (OUT.checkpoint)", DefaultValueFactory = _ => 50 };
        var resume = new Option<bool>("--resume") { Description = "continue an interrupted run from OUT.checkpoint" };
        var threads = Common.ThreadsOption();
        var cmd = new Command("finetune", "Train a LoRA adapter on a frozen base model and write it as a GGUF adapter llama.cpp can load; metrics go to OUT.metrics.jsonl and OUT.metrics.svg")
        {
            model, data, template, output, rank, alpha, dropout, targets, epochs, lr, batch, accumulate, maxTokens, seed, valData, valSplit, evalEvery,
            checkpointEvery, resume, threads,
        };
        cmd.SetAction(r =>
        {
            string outPath = r.GetValue(output)!;
            int maxLen = r.GetValue(maxTokens);
            if (maxLen < 2) throw new UsageException("--max-tokens must be at least 2");
            if (r.GetValue(rank) < 1) throw new UsageException("--rank must be at least 1");
            using var m = Model.Load(r.GetValue(model)!, [], pack: false);
            // chat rows are rendered with the same formatter `weft chat` uses, built only when a row needs it
            var formatter = new Lazy<ChatFormatter>(() => ChatFormatter.ForModel(m, r.GetValue(template)));
            ChatRenderer render = (turns, generationPrompt) =>
                formatter.Value.Render([.. turns.Select(t => ChatMessage.Text(t.Role, t.Content))], generationPrompt);
            int limit = Math.Min(maxLen, m.Config.TrainContextLength);
            var examples = TrainingData.Load(r.GetValue(data)!, m.Tokenizer, limit, render);
            List<TrainingExample> validation;
            if (r.GetValue(valData) is { } vPath) validation = TrainingData.Load(vPath, m.Tokenizer, limit, render);
            else
            {
                if (r.GetValue(valSplit) is < 0 or >= 1) throw new UsageException("--val-split must be in [0, 1)");
                (examples, validation) = FineTuner.Split(examples, r.GetValue(valSplit));
            }
            if (r.GetValue(checkpointEvery) < 1) throw new UsageException("--checkpoint-every must be at least 1");
            using var pool = new WorkerPool(r.GetValue(threads));
            var options = new LoraOptions
            {
                Rank = r.GetValue(rank),
                Alpha = r.GetValue(alpha),
                Dropout = r.GetValue(dropout),
                Targets = LoraOptions.ParseTargets(r.GetValue(targets)!),
                Seed = r.GetValue(seed),
            };
            var trainable = TrainingModel<float>.WithLora(m, options, pool);
            var tune = new FineTuneOptions
            {
                Epochs = r.GetValue(epochs),
                BatchSize = r.GetValue(batch),
                AccumulationSteps = r.GetValue(accumulate),
                LearningRate = r.GetValue(lr),
                Seed = r.GetValue(seed),
            };
            var err = Console.Error;
            int loraParams = trainable.TrainableParameters.Sum(p => p.Value.Length);
            err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# {examples.Count} examples, {examples.Sum(e => e.Tokens.Length)} tokens; {trainable.LoraFactors.Count} adapted weights, {loraParams} trainable values; {FineTuner.StepsPerEpoch(examples.Count, tune) * tune.Epochs} steps"));
            var records = new FineTuneRecords
            {
                Validation = validation,
                EvalEvery = r.GetValue(evalEvery),
                MetricsPath = outPath + ".metrics.jsonl",
                CheckpointPath = outPath + ".checkpoint",
                CheckpointEvery = r.GetValue(checkpointEvery),
                Resume = r.GetValue(resume),
            };
            var steps = FineTuner.Run(trainable, examples, tune, p => err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {p.Step}/{p.TotalSteps}  epoch {p.Epoch}  loss {p.Loss:F4}{(p.ValidationLoss is double v ? $"  val {v:F4}" : "")}  lr {p.LearningRate:E2}  grad {p.GradNorm:F3}  {p.TokensPerSecond:F0} tok/s  ETA {p.Remaining:h\\:mm\\:ss}")), records);
            LoraAdapter.Write(outPath, trainable, $"LoRA r={options.Rank} alpha={options.Alpha} for {Path.GetFileName(r.GetValue(model)!)}");
            File.Delete(records.CheckpointPath); // the adapter is whole: nothing left to resume
            err.WriteLine(steps.Count == 0 ? $"# wrote {outPath} (the checkpoint was already at the last step)" : string.Create(CultureInfo.InvariantCulture,
                $"# wrote {outPath}: loss {steps[0].Loss:F4} -> {steps[^1].Loss:F4}; metrics in {records.MetricsPath}"));
            return 0;
        });
        return cmd;
    }
}
