// GET / and GET /ui/{file}: the chat page (and GET /compare, its side-by-side view), served from files embedded in this assembly (wwwroot/), so it needs no folder on disk.
using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Weft.Server.Api;

internal static class WebUiEndpoints
{
    private const string Prefix = "wwwroot/";

    // the page talks only to its own server: no inline script, no other origin
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    /// <summary>Every embedded file by its path under wwwroot/, read once.</summary>
    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(Load);

    public static IEndpointRouteBuilder MapWebUi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext http) => Serve(http, "index.html"));
        app.MapGet("/ui/{**file}", (HttpContext http, string file) => Serve(http, file));
        return app;
    }

    /// <summary>One prompt to 2–4 models, the answers side by side (wwwroot/compare.html).</summary>
    public static IEndpointRouteBuilder MapComparePage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/compare", (HttpContext http) => Serve(http, "compare.html"));
        return app;
    }

    /// <summary>The embedded file names (paths under wwwroot/).</summary>
    public static IReadOnlyCollection<string> Files => Assets.Value.Keys;

    internal static IResult Serve(HttpContext http, string file)
    {
        if (!Assets.Value.TryGetValue(file, out var asset))
            throw new ApiException(404, $"no file '{file}' in the web page", code: "not_found");
        var headers = http.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache"; // revalidate: a new build must show at once
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
        }
        if (http.Request.Headers.IfNoneMatch.Contains(asset.ETag)) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(WebUiEndpoints).Assembly;
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            string path = name[Prefix.Length..];
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            byte[] bytes = copy.ToArray();
            string type = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            string etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes)[..8]) + "\"";
            files[path] = new Asset(bytes, type, etag);
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
