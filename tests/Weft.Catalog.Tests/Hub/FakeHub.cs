// A real HTTP server (Kestrel on 127.0.0.1, port 0) speaking the subset of the Hub API and Ollama registry pulls use,
// plus a second listener standing for the CDN on another host:port.
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Weft.Catalog.Tests.Hub;

/// <summary>One request as the server saw it.</summary>
public sealed record SeenRequest(string Server, string Method, string Path, string? Range, string? Authorization);

/// <summary>The fake Hub; set its knobs before pulling.</summary>
public sealed class FakeHub : IAsyncDisposable
{
    public const string Repo = "owner/repo";
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";
    public const string Token = "hf_secret";

    private WebApplication hub = null!, cdn = null!;

    /// <summary>The repository the Hub holds (<see cref="Repo"/> unless a test names another).</summary>
    public string RepoName { get; set; } = Repo;

    /// <summary>Files of <see cref="RepoName"/>: path → bytes.</summary>
    public Dictionary<string, byte[]> Files { get; } = [];

    /// <summary>Files whose declared sha256 is wrong (the bytes served do not match the tree).</summary>
    public HashSet<string> CorruptFiles { get; } = [];

    /// <summary>Ollama blobs by digest, and manifests by "ns/name:tag".</summary>
    public Dictionary<string, byte[]> OllamaBlobs { get; } = [];
    public Dictionary<string, string> OllamaManifests { get; } = [];

    /// <summary>Requests without "Bearer <see cref="Token"/>" get 401.</summary>
    public bool RequireToken { get; set; }

    /// <summary>The API answers an HTML page.</summary>
    public bool AnswerHtml { get; set; }

    /// <summary>The CDN ignores Range and sends the whole file with 200.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>The next CDN body is cut after this many bytes (then the connection is aborted); -1 for none.</summary>
    public long DropAfter { get; set; } = -1;

    /// <summary>Resolve URLs first answer a relative 307 to themselves with ?hop=1 and no headers (a renamed repository).</summary>
    public bool RelativeRedirect { get; set; }

    /// <summary>Delay before the CDN sends a body, so two pulls overlap.</summary>
    public TimeSpan BodyDelay { get; set; }

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public string HubUrl { get; private set; } = "";
    public string CdnUrl { get; private set; } = "";

    public static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    public static async Task<FakeHub> StartAsync()
    {
        var f = new FakeHub();
        (f.hub, f.HubUrl) = await Listen(ctx => f.HandleHub(ctx));
        (f.cdn, f.CdnUrl) = await Listen(ctx => f.HandleCdn(ctx));
        return f;
    }

    private static async Task<(WebApplication, string)> Listen(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return (app, app.Urls.First().TrimEnd('/'));
    }

    private void Record(string server, HttpContext ctx) => Requests.Enqueue(new SeenRequest(server, ctx.Request.Method,
        ctx.Request.Path + ctx.Request.QueryString, ctx.Request.Headers.Range.FirstOrDefault(), ctx.Request.Headers.Authorization.FirstOrDefault()));

    private async Task HandleHub(HttpContext ctx)
    {
        Record("hub", ctx);
        string path = ctx.Request.Path.Value!;
        if (RequireToken && ctx.Request.Headers.Authorization.FirstOrDefault() != "Bearer " + Token)
        {
            ctx.Response.StatusCode = 401;
            return;
        }
        if (AnswerHtml)
        {
            ctx.Response.ContentType = "text/html";
            await ctx.Response.WriteAsync("<!doctype html><html><body>Sign in</body></html>");
            return;
        }
        if (path.StartsWith("/v2/", StringComparison.Ordinal)) { await HandleOllama(ctx, path); return; }
        if (path == "/api/models") { await Json(ctx, SearchResults()); return; }
        string revPrefix = $"/api/models/{RepoName}/revision/";
        string treePrefix = $"/api/models/{RepoName}/tree/";
        string resolvePrefix = $"/{RepoName}/resolve/";
        if (path.StartsWith(revPrefix, StringComparison.Ordinal)) { await Json(ctx, new { id = RepoName, sha = Commit }); return; }
        if (path.StartsWith(treePrefix, StringComparison.Ordinal))
        {
            var rest = path[treePrefix.Length..].Split('/', 2);
            string folder = rest.Length > 1 ? Uri.UnescapeDataString(rest[1]) + "/" : "";
            await Json(ctx, Files.Where(kv => kv.Key.StartsWith(folder, StringComparison.Ordinal)).Select(kv => new
            {
                type = "file", path = kv.Key, size = kv.Value.Length, oid = "git" + kv.Key.Length,
                lfs = new { oid = CorruptFiles.Contains(kv.Key) ? Sha([1, 2, 3]) : Sha(kv.Value), size = kv.Value.Length, pointerSize = 134 },
            }));
            return;
        }
        if (path.StartsWith(resolvePrefix, StringComparison.Ordinal))
        {
            string file = Uri.UnescapeDataString(path[resolvePrefix.Length..].Split('/', 2)[1]);
            if (!Files.TryGetValue(file, out var bytes)) { ctx.Response.StatusCode = 404; return; }
            if (RelativeRedirect && !ctx.Request.Query.ContainsKey("hop"))
            {
                ctx.Response.Headers.Location = path + "?hop=1";
                ctx.Response.StatusCode = 307;
                return;
            }
            string sha = CorruptFiles.Contains(file) ? Sha([1, 2, 3]) : Sha(bytes);
            ctx.Response.Headers["X-Repo-Commit"] = Commit;
            ctx.Response.Headers["X-Linked-Etag"] = $"\"{sha}\"";
            ctx.Response.Headers["X-Linked-Size"] = bytes.Length.ToString();
            ctx.Response.Headers.Location = $"{CdnUrl}/repos/{Uri.EscapeDataString(file)}";
            ctx.Response.StatusCode = 302;
            return;
        }
        ctx.Response.StatusCode = 404;
    }

    private async Task HandleOllama(HttpContext ctx, string path)
    {
        // /v2/{ns}/{name}/manifests/{tag} or /v2/{ns}/{name}/blobs/{digest}
        var parts = path.Split('/');
        if (parts.Length == 6 && parts[4] == "manifests")
        {
            if (!ctx.Request.Headers.Accept.ToString().Contains("application/vnd.docker.distribution.manifest.v2+json", StringComparison.Ordinal))
            {
                ctx.Response.StatusCode = 406;
                return;
            }
            if (!OllamaManifests.TryGetValue($"{parts[2]}/{parts[3]}:{parts[5]}", out var m)) { ctx.Response.StatusCode = 404; return; }
            ctx.Response.ContentType = "application/vnd.docker.distribution.manifest.v2+json";
            await ctx.Response.WriteAsync(m);
            return;
        }
        if (parts.Length == 6 && parts[4] == "blobs")
        {
            ctx.Response.Headers.Location = $"{CdnUrl}/ollama/{parts[5]}"; // the registry redirects blobs to its CDN too
            ctx.Response.StatusCode = 307;
            return;
        }
        ctx.Response.StatusCode = 404;
    }

    private async Task HandleCdn(HttpContext ctx)
    {
        Record("cdn", ctx);
        string path = ctx.Request.Path.Value!;
        byte[]? bytes = path.StartsWith("/repos/", StringComparison.Ordinal) ? Files.GetValueOrDefault(Uri.UnescapeDataString(path[7..]))
            : path.StartsWith("/ollama/", StringComparison.Ordinal) ? OllamaBlobs.GetValueOrDefault(Uri.UnescapeDataString(path[8..])) : null;
        if (bytes == null) { ctx.Response.StatusCode = 404; return; }
        long from = 0;
        string? range = ctx.Request.Headers.Range.FirstOrDefault();
        if (range != null && !IgnoreRange && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            from = long.Parse(range[6..^1]);
            if (from >= bytes.Length)
            {
                ctx.Response.StatusCode = 416;
                ctx.Response.Headers.ContentRange = $"bytes */{bytes.Length}";
                return;
            }
            ctx.Response.StatusCode = 206;
            ctx.Response.Headers.ContentRange = $"bytes {from}-{bytes.Length - 1}/{bytes.Length}";
        }
        ctx.Response.ContentType = "application/octet-stream";
        ctx.Response.ContentLength = bytes.Length - from;
        if (BodyDelay > TimeSpan.Zero) await Task.Delay(BodyDelay);
        long drop = DropAfter;
        if (drop >= 0)
        {
            DropAfter = -1;
            await ctx.Response.Body.WriteAsync(bytes.AsMemory((int)from, (int)Math.Min(drop, bytes.Length - from)));
            await ctx.Response.Body.FlushAsync();
            ctx.Abort();
            return;
        }
        await ctx.Response.Body.WriteAsync(bytes.AsMemory((int)from));
    }

    private static object[] SearchResults() =>
    [
        new { id = "TheBloke/Mistral-7B-v0.1-GGUF", downloads = 900, likes = 50, tags = new[] { "gguf", "mistral" }, lastModified = "2024-01-02T03:04:05.000Z" },
        new { id = "BioMistral/BioMistral-7B-GGUF", downloads = 120, likes = 7, tags = new[] { "gguf", "medical" }, lastModified = "2024-02-01T00:00:00.000Z" },
    ];

    private static Task Json(HttpContext ctx, object value)
    {
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(JsonSerializer.Serialize(value));
    }

    /// <summary>Adds an Ollama model: GGUF bytes plus text layers; returns the GGUF digest.</summary>
    public string AddOllamaModel(string key, byte[] gguf, string template, string parameters, string license, bool corruptModel = false)
    {
        var layers = new List<object>();
        string Add(string mediaType, byte[] bytes, bool corrupt)
        {
            string digest = "sha256:" + Sha(bytes);
            OllamaBlobs[digest] = corrupt ? [.. bytes.Reverse()] : bytes;
            layers.Add(new { mediaType, digest, size = bytes.Length });
            return digest;
        }
        string model = Add("application/vnd.ollama.image.model", gguf, corruptModel);
        Add("application/vnd.ollama.image.template", Encoding.UTF8.GetBytes(template), false);
        Add("application/vnd.ollama.image.params", Encoding.UTF8.GetBytes(parameters), false);
        Add("application/vnd.ollama.image.license", Encoding.UTF8.GetBytes(license), false);
        byte[] config = "{\"model_format\":\"gguf\"}"u8.ToArray();
        OllamaBlobs["sha256:" + Sha(config)] = config;
        OllamaManifests[key] = JsonSerializer.Serialize(new
        {
            schemaVersion = 2,
            mediaType = "application/vnd.docker.distribution.manifest.v2+json",
            config = new { mediaType = "application/vnd.docker.container.image.v1+json", digest = "sha256:" + Sha(config), size = config.Length },
            layers,
        });
        return model;
    }

    public async ValueTask DisposeAsync()
    {
        await hub.StopAsync();
        await cdn.StopAsync();
        await hub.DisposeAsync();
        await cdn.DisposeAsync();
    }
}
