// Prompt and generation tokens/s of a local model on this machine, `weft bench`'s method: a seeded prompt of
// fixed ids evaluated as one batch from an empty cache, then one id fed repeatedly; one warm-up, the median of the
// timed repetitions.
using System.Diagnostics;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;

namespace Weft.Evaluation.Running;

public static class SpeedProbe
{
    public sealed record Speed(double PromptTps, double GenTps, int PromptTokens, int GenTokens, int Threads);

    public static Speed Measure(Model model, int threads, int promptTokens = 128, int genTokens = 32, int repetitions = 3)
    {
        int ctx = model.Config.TrainContextLength;
        promptTokens = Math.Max(1, Math.Min(promptTokens, ctx - genTokens - 1));
        genTokens = Math.Max(1, Math.Min(genTokens, ctx - promptTokens - 1));
        using var pool = new WorkerPool(threads > 0 ? threads : WorkerPool.DefaultThreadCount);
        var session = new DecoderSession(model, pool, promptTokens + genTokens + 1, maxBatch: promptTokens);
        int vocab = model.Config.VocabSize;
        var rng = new Random(1234);
        var prompt = new int[promptTokens];
        for (int i = 0; i < prompt.Length; i++) prompt[i] = rng.Next(vocab);
        var next = new[] { rng.Next(vocab) };
        var logits = new float[vocab];
        var pp = new List<double>();
        var tg = new List<double>();
        for (int rep = 0; rep <= repetitions; rep++)
        {
            session.Reset();
            long t0 = Stopwatch.GetTimestamp();
            session.Evaluate(prompt, logits);
            long t1 = Stopwatch.GetTimestamp();
            for (int i = 0; i < genTokens; i++) session.Evaluate(next, logits);
            long t2 = Stopwatch.GetTimestamp();
            if (rep == 0) continue; // warm-up
            pp.Add(promptTokens / Stopwatch.GetElapsedTime(t0, t1).TotalSeconds);
            tg.Add(genTokens / Stopwatch.GetElapsedTime(t1, t2).TotalSeconds);
        }
        return new Speed(Median(pp), Median(tg), promptTokens, genTokens, pool.ThreadCount);
    }

    public static double Median(IReadOnlyList<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length == 0 ? 0 : s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
