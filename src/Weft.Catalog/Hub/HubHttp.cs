// HTTP with redirects followed by hand: the token goes only to the host it was meant for, never to a CDN.
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Weft.Catalog.Hub;

/// <summary>Sends requests with at most <see cref="MaxRedirects"/> redirects; Authorization is dropped on a change of host.</summary>
public sealed class HubHttp : IDisposable
{
    /// <summary>Redirects followed before giving up.</summary>
    public const int MaxRedirects = 10;

    private readonly HttpClient client;
    private readonly bool ownsClient;
    private readonly string? token;
    private readonly Uri tokenHost;

    /// <summary>What to check when a host cannot be reached; the default names the model hubs' settings.</summary>
    public string UnreachableHint { get; init; } = "check the network, HF_ENDPOINT or OLLAMA_REGISTRY";

    /// <summary>A client for <paramref name="endpoint"/>; <paramref name="token"/> is sent as Bearer to that host only.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "the client disposes the default handler (disposeHandler: true)")]
    public HubHttp(string endpoint, string? token, HttpMessageHandler? handler = null)
    {
        tokenHost = new Uri(endpoint);
        this.token = token;
        // a handler of the caller's stays the caller's; the default one goes with the client
        client = handler == null ? new HttpClient(DefaultHandler(), disposeHandler: true) : new HttpClient(handler, disposeHandler: false);
        client.Timeout = Timeout.InfiniteTimeSpan;
        client.DefaultRequestHeaders.UserAgent.ParseAdd("weft/1.0");
        ownsClient = true;
    }

    /// <summary>Redirects are followed by <see cref="SendAsync"/> itself (the token must not follow them to another host).</summary>
    private static SocketsHttpHandler DefaultHandler() => new() { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None };

    /// <summary>Sends <paramref name="method"/> to <paramref name="url"/>, following redirects; headers only (body streamed by the caller).</summary>
    /// <param name="followOtherHosts">false stops at a redirect to another host and returns it.</param>
    /// <param name="followAny">false returns the first response, redirect or not (HEAD on resolve URLs reads each hop).</param>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, Action<HttpRequestHeaders>? headers, bool followOtherHosts, CancellationToken ct,
        bool followAny = true)
    {
        for (int hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(method, url);
            if (token != null && SameHost(url, tokenHost)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            headers?.Invoke(request.Headers);
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new HubException($"cannot reach {url.GetLeftPart(UriPartial.Authority)}: {e.Message} ({UnreachableHint})", e);
            }
            int code = (int)response.StatusCode;
            if (code is < 300 or >= 400 || response.Headers.Location == null || !followAny) return response;
            var next = new Uri(url, response.Headers.Location);
            if (!followOtherHosts && !SameHost(next, url)) return response;
            response.Dispose();
            if (hop >= MaxRedirects) throw new HubException($"{url}: more than {MaxRedirects} redirects");
            url = next;
        }
    }

    /// <summary>GETs JSON, explaining 401/403/404 and a server that answers HTML.</summary>
    public async Task<JsonDocument> GetJsonAsync(Uri url, string? accept, string what, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, url, h =>
        {
            h.Accept.ParseAdd(accept ?? "application/json");
        }, followOtherHosts: true, ct).ConfigureAwait(false);
        EnsureSuccess(response, url, what);
        string body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        string? mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is "text/html" || body.TrimStart().StartsWith('<'))
            throw new HubException($"{url} answered HTML instead of JSON for {what}; is the endpoint right (HF_ENDPOINT, OLLAMA_REGISTRY) and not a login or proxy page?");
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new HubException($"{url} answered malformed JSON for {what}: {e.Message}", e);
        }
    }

    /// <summary>Throws a <see cref="HubException"/> that says what to do for a non-success status.</summary>
    public static void EnsureSuccess(HttpResponseMessage response, Uri url, string what)
    {
        int code = (int)response.StatusCode;
        if (code is >= 200 and < 300) return;
        string hint = code switch
        {
            401 => "the server wants a token: the model may be gated or private; set HF_TOKEN to a token from https://huggingface.co/settings/tokens",
            403 => "access refused: for a gated model, accept its licence on the model's web page with the account whose token is in HF_TOKEN",
            404 => "not found: check the repository, revision and file name",
            429 => "rate limited: wait and try again (a token in HF_TOKEN raises the limit)",
            _ => $"the server answered {code} {response.ReasonPhrase}",
        };
        throw new HubException($"{what}: {url}: {hint}");
    }

    private static bool SameHost(Uri a, Uri b) =>
        string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port && a.Scheme == b.Scheme;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (ownsClient) client.Dispose();
    }
}
