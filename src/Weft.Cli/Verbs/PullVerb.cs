// weft pull SPEC [--revision R] [--cache DIR]: fetch a model from the Hugging Face Hub or the Ollama registry, print its path.
using System.CommandLine;
using Weft.Catalog.Hub;

namespace Weft.Cli.Verbs;

internal static class PullVerb
{
    public static Command Create()
    {
        var spec = new Argument<string>("SPEC") { Description = "what to pull: " + PullSpec.ValidForms };
        var revision = new Option<string?>("--revision") { Description = "branch, tag or commit (default: main, or the spec's @REVISION / :TAG)" };
        var cache = new Option<string?>("--cache") { Description = "cache folder (default: HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub; for ollama:// OLLAMA_MODELS or ~/.ollama/models)" };
        var cmd = new Command("pull", "Download a model into the shared Hugging Face or Ollama cache and print the path `weft run` loads")
        {
            spec, revision, cache,
        };
        cmd.SetAction(async (r, ct) =>
        {
            var parsed = PullSpec.Parse(r.GetValue(spec)!, r.GetValue(revision));
            var options = HubOptions.FromEnvironment();
            if (r.GetValue(cache) is string dir) options = options with { HfCache = dir, OllamaModels = dir };
            using var puller = new HubPuller(options);
            var bar = new ProgressLine();
            PullResult result;
            try
            {
                result = await puller.PullAsync(parsed, bar.Show, ct);
            }
            catch (OperationCanceledException)
            {
                bar.End();
                Console.Error.WriteLine("weft: pull interrupted; the partial download is kept, run the same pull again to resume");
                return 130;
            }
            finally
            {
                bar.End();
            }
            Console.Error.WriteLine(result.AlreadyPresent ? $"already present: {parsed}" : $"pulled {parsed} ({result.Bytes:N0} bytes, commit {result.Commit})");
            if (result.Ollama is { } o)
            {
                if (o.License != null) Console.Error.WriteLine($"licence: {FirstLine(o.License)}");
                if (o.Params != null) Console.Error.WriteLine($"parameters: {o.Params.ReplaceLineEndings(" ")}");
                if (o.Template != null) Console.Error.WriteLine($"template: {FirstLine(o.Template)}");
                if (o.System != null) Console.Error.WriteLine($"system: {FirstLine(o.System)}");
            }
            Console.Out.WriteLine(result.Path);
            return 0;
        });
        return cmd;
    }

    private static string FirstLine(string text)
    {
        string line = text.Trim().Split('\n')[0].Trim();
        return line.Length > 100 ? line[..100] + "…" : line;
    }

    /// <summary>One line on stderr redrawn in place: name, percent, bytes, speed, ETA.</summary>
    private sealed class ProgressLine
    {
        private bool drawn;

        public void Show(DownloadProgress p)
        {
            if (Console.IsErrorRedirected && p.Bytes != p.Total) return; // logs get only the last line
            string percent = p.Total is long t && t > 0 ? $"{100.0 * p.Bytes / t,5:F1}% " : "";
            string of = p.Total is long total ? $"/{Mib(total)}" : "";
            string eta = p.Eta is TimeSpan e ? $" ETA {(int)e.TotalHours:00}:{e.Minutes:00}:{e.Seconds:00}" : "";
            Console.Error.Write($"\r{p.File} {percent}{Mib(p.Bytes)}{of} MiB {p.BytesPerSecond / (1 << 20),6:F1} MiB/s{eta}   ");
            drawn = true;
        }

        public void End()
        {
            if (drawn) Console.Error.WriteLine();
            drawn = false;
        }

        private static string Mib(long bytes) => (bytes / (double)(1 << 20)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
