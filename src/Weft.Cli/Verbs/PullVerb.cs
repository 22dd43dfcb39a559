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
            var bar = new DownloadLine();
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
}
