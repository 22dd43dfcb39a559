// weft train --config CONFIG.json [--resume]: trains a llama-architecture model from scratch (tokenizer included) and
// writes the GGUF, metrics.jsonl, loss.svg, eval.json and a checkpoint into the config's output folder.
using System.CommandLine;
using System.Globalization;
using Weft.Training.Pretraining;

namespace Weft.Cli.Verbs;

internal static class TrainVerb
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "the training config (JSON; see models/weft-tiny/config.json)", Required = true };
        var resume = new Option<bool>("--resume") { Description = "continue from the output folder's checkpoint instead of starting over" };
        var threads = new Option<int>("--threads", "-t") { Description = "worker threads (default: the config's, else every core)" };
        var steps = new Option<int>("--steps") { Description = "override training.steps (e.g. for a short trial run)" };
        var cmd = new Command("train", "Train a small llama-architecture model from scratch on a text corpus") { config, resume, threads, steps };
        cmd.SetAction(r =>
        {
            var c = PretrainConfig.Load(r.GetValue(config)!);
            if (r.GetValue(threads) > 0) c = c with { Training = c.Training with { Threads = r.GetValue(threads) } };
            if (r.GetValue(steps) > 0) c = c with { Training = c.Training with { Steps = r.GetValue(steps) } };
            var err = Console.Error;
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var result = Pretrainer.Run(c, r.GetValue(resume), line => err.WriteLine("# " + line), p => err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"step {p.Step}/{p.TotalSteps}  loss {p.Loss:F4}{(p.ValidationLoss is double v ? $"  val {v:F4}" : "")}  lr {p.LearningRate:E2}  grad {p.GradNorm:F2}  {p.TokensPerSecond:F0} tok/s  ETA {p.Remaining:h\\:mm\\:ss}")),
                    cancel.Token);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {result.ModelPath}: {result.Parameters} parameters, {result.Steps} steps, validation loss {result.ValidationLoss:F4} (perplexity {Math.Exp(result.ValidationLoss):F2}), {result.TokensPerSecond:F0} tokens/s, {result.Elapsed:h\\:mm\\:ss}"));
                return 0;
            }
            catch (OperationCanceledException)
            {
                err.WriteLine($"weft: interrupted; `weft train --config {r.GetValue(config)} --resume` continues from the last checkpoint");
                return 130;
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
        return cmd;
    }
}
