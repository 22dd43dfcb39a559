// Active health checks: every endpoint's GET /v1/models, each health interval. An answer brings an endpoint back (and
// tells the models of one that lists none in the file); a refused connection, a timeout or a 5xx takes it out.
// llama-server's /slots, when there, tells how many slots are idle.
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Weft.Server.Remote;

internal sealed class ReplicaHealth : IDisposable
{
    /// <summary>Longest wait for a probe's answer (shorter when the health interval is, but never below MinProbeTimeout).</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    /// <summary>A short interval must not make a loaded but healthy replica look dead.</summary>
    private static readonly TimeSpan MinProbeTimeout = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = ProbeTimeout })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public Task ProbeAsync(IReadOnlyList<RemoteEndpoint> endpoints, TimeSpan interval, CancellationToken ct) =>
        Task.WhenAll(endpoints.Select(e => ProbeOneAsync(e, TimeoutFor(interval), ct)));

    internal static TimeSpan TimeoutFor(TimeSpan interval) =>
        interval > ProbeTimeout ? ProbeTimeout : interval < MinProbeTimeout ? MinProbeTimeout : interval;

    private async Task ProbeOneAsync(RemoteEndpoint e, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var req = Request(e, e.Spec.Base + "/models");
            using var res = await _http.SendAsync(req, cts.Token);
            if (res.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                // it is alive, but will refuse what is sent to it: kept in, so callers see its own answer
                e.BringBack($"the endpoint refused the API key{(e.Spec.ApiKeyEnv is { } env ? $" from ${env}" : " (no api_key_env set)")}: {(int)res.StatusCode}");
                return;
            }
            if (!res.IsSuccessStatusCode)
            {
                e.TakeOut($"GET /v1/models answered {(int)res.StatusCode}");
                return;
            }
            if (e.Spec.Models == null) e.Discovered(ModelIds(await res.Content.ReadAsStringAsync(cts.Token)));
            e.BringBack(null);
        }
        catch (Exception x) when (x is HttpRequestException or OperationCanceledException or JsonException)
        {
            if (ct.IsCancellationRequested) return;
            e.TakeOut(x is OperationCanceledException ? $"no answer to GET /v1/models in {timeout.TotalSeconds:0.#} s" : x.Message);
            return;
        }
        if (e.HasSlotsEndpoint) await SlotsAsync(e, cts.Token);
    }

    /// <summary>llama-server's GET /slots (beside /v1): a list of slots, each with is_processing.</summary>
    private async Task SlotsAsync(RemoteEndpoint e, CancellationToken ct)
    {
        string root = e.Spec.Base.EndsWith("/v1", StringComparison.Ordinal) ? e.Spec.Base[..^3] : e.Spec.Base;
        try
        {
            using var req = Request(e, root + "/slots");
            using var res = await _http.SendAsync(req, ct);
            if (res.IsSuccessStatusCode && res.Content.Headers.ContentType?.MediaType == "application/json")
            {
                using var doc = JsonDocument.Parse(await res.Content.ReadAsStringAsync(ct));
                if (doc.RootElement.ValueKind == JsonValueKind.Array)
                {
                    e.FreeSlots = doc.RootElement.EnumerateArray().Count(s =>
                        s.ValueKind == JsonValueKind.Object && s.TryGetProperty("is_processing", out var p) && p.ValueKind == JsonValueKind.False);
                    return;
                }
            }
            e.HasSlotsEndpoint = false;
            e.FreeSlots = null;
        }
        catch (Exception x) when (x is HttpRequestException or OperationCanceledException or JsonException)
        {
            e.FreeSlots = null; // unknown until the next probe
        }
    }

    private static HttpRequestMessage Request(RemoteEndpoint e, string url)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, url);
        if (e.Spec.ApiKey is { Length: > 0 } key) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return req;
    }

    private static List<string> ModelIds(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var ids = new List<string>();
        if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
            foreach (var m in data.EnumerateArray())
                if (m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id) && id.GetString() is { Length: > 0 } s) ids.Add(s);
        return ids;
    }

    public void Dispose() => _http.Dispose();
}
