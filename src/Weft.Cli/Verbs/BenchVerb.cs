// weft bench MODEL [-p 128] [-n 64] [-t T] [-r R] [--json]: prompt and generation tokens per second, llama-bench's method.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors;
using Weft.Tensors.Threading;

namespace Weft.Cli.Verbs;

internal static class BenchVerb
{
    public static Command Create()
    {
        var model = Common.ModelArgument();
        var prompt = new Option<int>("-p", "--n-prompt") { Description = "prompt tokens, evaluated as one batch from an empty cache", DefaultValueFactory = _ => 128 };
        var gen = new Option<int>("-n", "--n-gen") { Description = "tokens generated one at a time after the prompt", DefaultValueFactory = _ => 64 };
        var reps = new Option<int>("-r", "--repetitions") { Description = "timed repetitions after one warm-up", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var threads = Common.ThreadsOption();
        var cmd = new Command("bench", "Measure prompt and generation speed (tokens per second)") { model, prompt, gen, threads, reps, json };
        cmd.SetAction(r =>
        {
            int p = r.GetValue(prompt), n = r.GetValue(gen), reps_ = r.GetValue(reps), t = r.GetValue(threads);
            if (p < 0 || n < 0) throw new UsageException("-p and -n must not be negative");
            if (p == 0 && n == 0) throw new UsageException("nothing to measure: -p and -n are both 0");
            if (reps_ < 1) throw new UsageException("-r must be at least 1");
            if (t < 1) throw new UsageException("-t must be at least 1");
            string path = r.GetValue(model)!;
            var result = Measure(path, p, n, t, reps_);
            if (r.GetValue(json)) PrintJson(result);
            else PrintText(result);
            return 0;
        });
        return cmd;
    }

    private sealed record Result(string Model, string Type, int Threads, int Prompt, int Gen, double[] Pp, double[] Tg,
        double LoadMs, long RssBytes, long BytesPerToken);

    private static Result Measure(string path, int p, int n, int threads, int reps)
    {
        var clock = Stopwatch.StartNew();
        using var m = Model.Load(path);
        using var pool = new WorkerPool(threads);
        int context = p + n + 1;
        if (context > m.Config.TrainContextLength)
            throw new UsageException($"-p {p} and -n {n} need {context} positions; the model was trained on {m.Config.TrainContextLength}");
        var session = new DecoderSession(m, pool, context, maxBatch: Math.Max(1, p));
        double loadMs = clock.Elapsed.TotalMilliseconds;

        // Fixed ids (no sampling): a seeded prompt, then one id repeated, as llama-bench feeds ids without sampling.
        int vocab = m.Config.VocabSize;
        var rng = new Random(1234);
        var promptIds = new int[p];
        for (int i = 0; i < p; i++) promptIds[i] = rng.Next(vocab);
        var next = new int[] { rng.Next(vocab) };
        var logits = new float[vocab];

        void RunPrompt() { if (p > 0) session.Evaluate(promptIds, logits); }
        void RunGen(int count) { for (int i = 0; i < count; i++) session.Evaluate(next, logits); }

        RunPrompt();
        if (n > 0) RunGen(1);
        var pp = new List<double>();
        var tg = new List<double>();
        for (int rep = 0; rep < reps; rep++)
        {
            session.Reset();
            long t0 = Stopwatch.GetTimestamp();
            RunPrompt();
            long t1 = Stopwatch.GetTimestamp();
            RunGen(n);
            long t2 = Stopwatch.GetTimestamp();
            if (p > 0) pp.Add(p / Stopwatch.GetElapsedTime(t0, t1).TotalSeconds);
            if (n > 0) tg.Add(n / Stopwatch.GetElapsedTime(t1, t2).TotalSeconds);
        }
        return new Result(path, TypeName(m), threads, p, n, [.. pp], [.. tg], loadMs, PeakRss(), m.BytesPerToken);
    }

    /// <summary>The most common weight type among the 2-D tensors, by bytes (e.g. Q4_K for a Q4_K_M file).</summary>
    private static string TypeName(Model m) =>
        m.File.Tensors.Where(t => t.Shape.Length >= 2)
            .GroupBy(t => t.Type).OrderByDescending(g => g.Sum(t => t.ByteSize)).Select(g => TypeTraits.NameOf(g.Key))
            .FirstOrDefault() ?? "?";

    /// <summary>Peak resident set (VmHWM) in bytes; 0 where /proc is not there.</summary>
    private static long PeakRss()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024; // the file counts kB
            }
        }
        catch (IOException) { }
        return 0;
    }

    private static double Median(double[] v)
    {
        if (v.Length == 0) return 0;
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    private static double Min(double[] v) => v.Length == 0 ? 0 : v.Min();
    private static double Max(double[] v) => v.Length == 0 ? 0 : v.Max();

    private static void PrintText(Result r)
    {
        var o = Console.Out;
        var ic = CultureInfo.InvariantCulture;
        o.WriteLine($"model: {r.Model} ({r.Type}), {r.Threads} threads, load {r.LoadMs.ToString("F0", ic)} ms, " +
            $"peak RSS {(r.RssBytes / 1048576.0).ToString("F0", ic)} MiB, {(r.BytesPerToken / 1048576.0).ToString("F1", ic)} MiB of weights per token");
        o.WriteLine($"{"test",-8} {"tok/s",10} {"min",10} {"max",10}");
        if (r.Prompt > 0) Row(o, $"pp{r.Prompt}", r.Pp);
        if (r.Gen > 0) Row(o, $"tg{r.Gen}", r.Tg);

        static void Row(TextWriter o, string name, double[] v) =>
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-8} {Median(v),10:F2} {Min(v),10:F2} {Max(v),10:F2}"));
    }

    private static void PrintJson(Result r)
    {
        using var stream = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("model", r.Model);
            w.WriteString("type", r.Type);
            w.WriteNumber("threads", r.Threads);
            w.WriteNumber("n_prompt", r.Prompt);
            w.WriteNumber("n_gen", r.Gen);
            w.WriteNumber("pp_tps", Math.Round(Median(r.Pp), 3));
            w.WriteNumber("tg_tps", Math.Round(Median(r.Tg), 3));
            w.WriteNumber("pp_tps_min", Math.Round(Min(r.Pp), 3));
            w.WriteNumber("pp_tps_max", Math.Round(Max(r.Pp), 3));
            w.WriteNumber("tg_tps_min", Math.Round(Min(r.Tg), 3));
            w.WriteNumber("tg_tps_max", Math.Round(Max(r.Tg), 3));
            w.WriteNumber("load_ms", Math.Round(r.LoadMs, 1));
            w.WriteNumber("rss_bytes", r.RssBytes);
            w.WriteNumber("bytes_per_token", r.BytesPerToken);
            w.WriteEndObject();
        }
        stream.Write("\n"u8);
    }
}
