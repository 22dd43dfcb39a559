// weft demo: the main job on the bundled model, nothing to download. weft-tiny (F16) is quantized to Q8_0 and
// Q4_0; the three are evaluated on the KJV tasks (held-out books: perplexity, verse choice; KL divergence of the
// quantizations against F16) with their speed and cost on this machine; then the leaderboard and the HTML report.
// `--random` instead writes a random-weight model and runs it end to end.
using System.CommandLine;
using System.Diagnostics;
using Weft.Evaluation.Data;
using Weft.Evaluation.Results;
using Weft.Evaluation.Running;
using Weft.Evaluation.Tasks;
using Weft.Models.Quantization;

namespace Weft.Cli.Verbs;

internal static class DemoVerb
{

    /// <summary>The tour evaluates on weft-tiny's held-out books.</summary>

    private static readonly string[] TourTasks = ["kjv-perplexity", "kjv-verse-choice"];

    public static Command Create()
    {
        var folder = new Option<string>("--dir") { Description = "where to write the demo's models, results and report (default: ~/.weft/demo)" };
        var limit = new Option<int>("--limit") { Description = "verse-choice items", DefaultValueFactory = _ => 200 };
        var random = new Option<bool>("--random") { Description = "instead: make a random-weight model, quantize it and run it" };
        var noInstall = new Option<bool>("--no-install") { Description = "never install Debian's bible-kjv (the KJV tasks' text) when it is missing" };
        var threads = Common.ThreadsOption();
        var cmd = new Command("demo", "A tour: quantize the bundled weft-tiny, evaluate the three, compare quality, speed and cost") { folder, limit, random, noInstall, threads };
        cmd.SetAction(r =>
        {
            string dir = r.GetValue(folder) ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".weft", "demo");
            Directory.CreateDirectory(dir);
            if (r.GetValue(random)) return RandomDemo.Run(dir, r.GetValue(threads));
            return Tour(dir, r.GetValue(limit), r.GetValue(threads), !r.GetValue(noInstall));
        });
        return cmd;
    }

    private static int Tour(string dir, int limit, int threads, bool install)
    {
        string f16 = DefaultModel.Resolve(null);
        Console.WriteLine($"weft-tiny: {f16} ({new FileInfo(f16).Length / 1048576.0:F1} MiB, F16)");
        var models = new List<string> { f16 };
        foreach (var type in new[] { "Q8_0", "Q4_0" })
        {
            string path = Path.Combine(dir, $"weft-tiny-{type.ToLowerInvariant()}.gguf");
            var clock = Stopwatch.StartNew();
            ModelQuantizer.Quantize(f16, path, FileType.Parse(type));
            Console.WriteLine($"weft quantize → {path} ({new FileInfo(path).Length / 1048576.0:F1} MiB, {clock.Elapsed.TotalSeconds:F1} s)");
            models.Add(path);
        }
        EnsureKjv(install);
        var tasks = TourTasks.Select(BuiltinTasks.Resolve).ToList();
        Console.WriteLine($"weft eval: {string.Join(", ", tasks.Select(t => t.Name))} (held-out books), KL divergence against F16, speed and cost at {Weft.Evaluation.Reports.Cost.DefaultPricePerHour:F2} USD/h");
        Console.WriteLine();
        var options = new EvalOptions { Tasks = tasks, Limit = limit, KldBase = new ModelSpec(f16, []), Threads = threads };
        string json = Path.Combine(dir, "results.json");
        var sink = new EvalResultsSink(new EvalReport([], []), json, "");
        var runner = new EvalRunner(options, new ProgressLine(Console.Error, !Console.IsErrorRedirected), Console.Error)
        {
            ModelFinished = sink.Add,
            RunFinished = sink.Add,
            Machine = EvalResultsSink.Machine,
        };
        runner.Run(models.Select(m => new ModelSpec(m, [])).ToList());
        Console.WriteLine();
        Console.Write(EvalResultsSink.Table(sink.Report));
        Console.WriteLine();
        Console.WriteLine($"results: {json}");
        Console.WriteLine($"report: {EvalResultsSink.WriteHtml(Path.Combine(dir, "report"), sink.Report)}");
        Console.WriteLine("next: weft leaderboard · weft serve (then /leaderboard) · weft eval MODEL… --task hellaswag,piqa --data-dir DIR");
        return sink.Report.Runs.Any(x => x.Error != null) ? 2 : 0;
    }

    /// <summary>The KJV tasks read Debian's `bible` program (package bible-kjv); as root with apt-get, install it.</summary>
    private static void EnsureKjv(bool install)
    {
        if (KjvText.FindProgram("bible") != null) return;
        bool root = Environment.UserName == "root";
        if (!install || !root || KjvText.FindProgram("apt-get") == null) return; // the tasks then fail with the hint
        Console.WriteLine("the KJV tasks read Debian's bible-kjv: apt-get install -y bible-kjv");
        if (!Apt("install", "-y", "-qq", "bible-kjv")) { Apt("update", "-qq"); Apt("install", "-y", "-qq", "bible-kjv"); }
    }

    private static bool Apt(params string[] args)
    {
        var psi = new ProcessStartInfo("apt-get") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}
