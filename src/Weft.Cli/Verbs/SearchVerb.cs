// weft search TEXT [--limit N] [--json]: GGUF models on the Hugging Face Hub, most downloaded first.
using System.CommandLine;
using System.Text.Json;
using Weft.Catalog.Hub;

namespace Weft.Cli.Verbs;

internal static class SearchVerb
{
    public static Command Create()
    {
        var text = new Argument<string>("TEXT") { Description = "words to find in model ids" };
        var limit = new Option<int>("--limit") { Description = "most results to show", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "print one JSON array" };
        var cmd = new Command("search", "Search the Hugging Face Hub (HF_ENDPOINT) for GGUF models") { text, limit, json };
        cmd.SetAction(async (r, ct) =>
        {
            int n = r.GetValue(limit);
            if (n < 1) throw new UsageException("--limit must be at least 1");
            using var puller = new HubPuller(HubOptions.FromEnvironment());
            var hits = await puller.SearchAsync(r.GetValue(text)!, n, ct);
            if (r.GetValue(json)) PrintJson(hits);
            else PrintText(hits);
            return 0;
        });
        return cmd;
    }

    private static void PrintText(IReadOnlyList<HubModelSummary> hits)
    {
        if (hits.Count == 0) { Console.Error.WriteLine("no GGUF models found"); return; }
        int width = Math.Max(5, hits.Max(h => h.Id.Length));
        Console.Out.WriteLine($"{"model".PadRight(width)}  {"downloads",10}  {"likes",6}  {"modified",-10}  tags");
        foreach (var h in hits)
        {
            string modified = h.LastModified?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "";
            Console.Out.WriteLine($"{h.Id.PadRight(width)}  {h.Downloads,10:N0}  {h.Likes,6:N0}  {modified,-10}  {string.Join(',', h.Tags.Take(6))}");
        }
        Console.Error.WriteLine($"pull one with: weft pull OWNER/REPO:QUANT (e.g. {hits[0].Id}:Q4_K_M)");
    }

    private static void PrintJson(IReadOnlyList<HubModelSummary> hits)
    {
        using var w = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = true });
        w.WriteStartArray();
        foreach (var h in hits)
        {
            w.WriteStartObject();
            w.WriteString("id", h.Id);
            w.WriteNumber("downloads", h.Downloads);
            w.WriteNumber("likes", h.Likes);
            w.WriteStartArray("tags");
            foreach (var t in h.Tags) w.WriteStringValue(t);
            w.WriteEndArray();
            if (h.LastModified is DateTimeOffset d) w.WriteString("lastModified", d);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
