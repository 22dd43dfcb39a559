// Searching the live Hub for GGUF models: GET /api/models?search=…&filter=gguf&sort=downloads&limit=N.
using System.Text.Json;

namespace Weft.Catalog.Hub;

/// <summary>One search hit.</summary>
public sealed record HubModelSummary(string Id, long Downloads, long Likes, IReadOnlyList<string> Tags, DateTimeOffset? LastModified);

/// <summary>Asks a Hugging Face Hub for GGUF repositories matching a text, most downloaded first.</summary>
public sealed class HubSearch(HubHttp http, string endpoint)
{
    private readonly string endpoint = endpoint.TrimEnd('/');

    /// <summary>Up to <paramref name="limit"/> models whose id matches <paramref name="text"/>.</summary>
    public async Task<IReadOnlyList<HubModelSummary>> SearchAsync(string text, int limit, CancellationToken ct)
    {
        if (limit < 1) throw new HubException($"search limit must be at least 1, got {limit}");
        var url = new Uri($"{endpoint}/api/models?search={Uri.EscapeDataString(text)}&filter=gguf&sort=downloads&direction=-1&limit={limit}&full=false");
        using var doc = await http.GetJsonAsync(url, null, $"search for '{text}'", ct).ConfigureAwait(false);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new HubException($"{url}: search results are not a JSON array");
        var hits = new List<HubModelSummary>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            string? id = e.TryGetProperty("id", out var i) ? i.GetString() : e.TryGetProperty("modelId", out var m) ? m.GetString() : null;
            if (id == null) continue;
            long Num(string name) => e.TryGetProperty(name, out var v) && v.TryGetInt64(out long n) ? n : 0;
            var tags = e.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : [];
            DateTimeOffset? modified = e.TryGetProperty("lastModified", out var lm) && lm.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(lm.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var d) ? d : null;
            hits.Add(new HubModelSummary(id, Num("downloads"), Num("likes"), tags, modified));
        }
        return hits;
    }
}
