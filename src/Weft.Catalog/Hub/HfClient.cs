// The Hugging Face Hub HTTP API, the parts a pull uses: model info, tree, resolve (HEAD and GET).
using System.Text.Json;
using System.Text.RegularExpressions;
using Weft.Catalog.Store;

namespace Weft.Catalog.Hub;

/// <summary>
/// Pulls files from a Hugging Face Hub (or a server speaking its API at HF_ENDPOINT) into the standard cache.
/// </summary>
public sealed partial class HfClient(HubHttp http, string endpoint, HfCache cache)
{
    private readonly string endpoint = endpoint.TrimEnd('/');

    /// <summary>The cache files go to.</summary>
    public HfCache Cache { get; } = cache;

    /// <summary>GET /api/models/{repo}/revision/{rev}: the commit sha a revision points at.</summary>
    public async Task<string> GetCommitAsync(string repo, string revision, CancellationToken ct)
    {
        var url = new Uri($"{endpoint}/api/models/{repo}/revision/{Uri.EscapeDataString(revision)}");
        using var doc = await http.GetJsonAsync(url, null, $"model info of {repo}", ct).ConfigureAwait(false);
        if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("sha", out var sha) && sha.ValueKind == JsonValueKind.String)
            return sha.GetString()!;
        throw new HubException($"{url}: model info has no 'sha' field");
    }

    /// <summary>GET /api/models/{repo}/tree/{rev}/{folder}?recursive=1: files with sizes and LFS sha256.</summary>
    public async Task<IReadOnlyList<HfFile>> GetTreeAsync(string repo, string revision, string? folder, CancellationToken ct)
    {
        string path = string.IsNullOrEmpty(folder) ? "" : "/" + string.Join('/', folder.Split('/').Select(Uri.EscapeDataString));
        var url = new Uri($"{endpoint}/api/models/{repo}/tree/{Uri.EscapeDataString(revision)}{path}?recursive=1");
        using var doc = await http.GetJsonAsync(url, null, $"file list of {repo}", ct).ConfigureAwait(false);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new HubException($"{url}: the file list is not a JSON array");
        var files = new List<HfFile>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (Str(e, "type") != "file" || Str(e, "path") is not string p) continue;
            long size = e.TryGetProperty("size", out var s) && s.TryGetInt64(out long v) ? v : 0;
            string? sha = null;
            if (e.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object)
            {
                sha = Str(lfs, "oid");
                if (lfs.TryGetProperty("size", out var ls) && ls.TryGetInt64(out long lv)) size = lv;
            }
            files.Add(new HfFile(p, size, sha, Str(e, "oid")));
        }
        return files;
    }

    /// <summary>
    /// HEAD /{repo}/resolve/{rev}/{file}: the commit, ETag and size come from the first hop that carries them
    /// (relative redirects, as for renamed repositories, are followed; a redirect to another host is the download URL).
    /// </summary>
    public async Task<HfResolved> HeadAsync(string repo, string revision, string file, CancellationToken ct)
    {
        var url = ResolveUrl(repo, revision, file);
        string? commit = null, etag = null;
        long? size = null;
        for (int hop = 0; hop <= HubHttp.MaxRedirects; hop++)
        {
            using var response = await http.SendAsync(HttpMethod.Head, url, null, followOtherHosts: false, ct, followAny: false).ConfigureAwait(false);
            int code = (int)response.StatusCode;
            bool redirect = code is >= 300 and < 400 && response.Headers.Location != null;
            if (!redirect) HubHttp.EnsureSuccess(response, url, $"looking up {file} in {repo}");
            commit ??= Header(response, "X-Repo-Commit");
            etag ??= Header(response, "X-Linked-Etag") ?? (redirect ? null : response.Headers.ETag?.Tag);
            size ??= long.TryParse(Header(response, "X-Linked-Size"), out long ls) ? ls : redirect ? null : response.Content.Headers.ContentLength;
            var next = redirect ? new Uri(url, response.Headers.Location!) : null;
            if (commit != null && etag != null) return new HfResolved(commit, NormalizeEtag(etag), size, next ?? url);
            if (next == null || next.Authority != url.Authority) break;
            url = next;
        }
        throw new HubException($"{url}: the server sent no X-Repo-Commit or ETag header; is HF_ENDPOINT a Hugging Face Hub?");
    }

    /// <summary>Pulls one file (or the GGUF of a quant type) into the cache; does nothing when it is already there.</summary>
    public async Task<PullResult> PullAsync(PullSpec spec, Action<DownloadProgress>? progress, CancellationToken ct)
    {
        string? file = spec.File ?? CachedQuant(spec);
        if (file != null && Cache.FindSnapshot(spec.Repo, spec.Revision, file) is string present)
            return new PullResult(spec with { File = file }, present, Cache.ReadRef(spec.Repo, spec.Revision)!, new FileInfo(present).Length, AlreadyPresent: true);
        file = spec.File;

        string commit = await GetCommitAsync(spec.Repo, spec.Revision, ct).ConfigureAwait(false);
        string? folder = file != null && file.Contains('/', StringComparison.Ordinal) ? file[..file.LastIndexOf('/')] : null;
        var tree = await GetTreeAsync(spec.Repo, commit, folder, ct).ConfigureAwait(false);
        HfFile entry = file != null
            ? tree.FirstOrDefault(f => f.Path == file) ?? throw new HubException($"{spec.Repo}@{spec.Revision} has no file '{file}'; it has: {List(tree)}")
            : PickQuant(spec, tree);
        file = entry.Path;

        if (Cache.FindSnapshot(spec.Repo, commit, file) is string cached)
        {
            Cache.WriteRef(spec.Repo, spec.Revision, commit);
            return new PullResult(spec, cached, commit, entry.Size, AlreadyPresent: true);
        }
        var head = await HeadAsync(spec.Repo, commit, file, ct).ConfigureAwait(false);
        string? sha = entry.Sha256 ?? (head.Etag.Length == 64 && head.Etag.All(Uri.IsHexDigit) ? head.Etag : null);
        long size = head.Size ?? entry.Size;
        string blob = Cache.BlobPath(spec.Repo, head.Etag);
        bool fetched = await BlobDownloader.EnsureAsync(http, head.DownloadUrl, blob, sha?.ToLowerInvariant(), size, file, progress, ct).ConfigureAwait(false);
        Cache.WriteRef(spec.Repo, spec.Revision, head.Commit);
        string link = Cache.LinkSnapshot(spec.Repo, head.Commit, file, head.Etag);
        return new PullResult(spec with { File = file }, link, head.Commit, size, AlreadyPresent: !fetched);
    }

    /// <summary>The one GGUF of the spec's quant type (the first shard of a split model).</summary>
    public static HfFile PickQuant(PullSpec spec, IReadOnlyList<HfFile> tree)
    {
        var ggufs = tree.Where(f => f.Path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)).ToList();
        var quant = new Regex($@"(^|[^A-Za-z0-9]){Regex.Escape(spec.Quant!)}([^A-Za-z0-9_]|$)", RegexOptions.IgnoreCase);
        var matches = ggufs.Where(f => quant.IsMatch(Path.GetFileName(f.Path))).ToList();
        var split = matches.Where(f => SplitShard().IsMatch(f.Path)).ToList();
        if (split.Count > 0 && split.Count == matches.Count)
        {
            var first = split.Where(f => SplitShard().Match(f.Path).Groups[1].Value.TrimStart('0') == "1").ToList();
            if (first.Count == 1) return first[0];
        }
        if (matches.Count == 1) return matches[0];
        string have = ggufs.Count == 0 ? "no .gguf files at all" : "GGUF files: " + string.Join(", ", ggufs.Select(f => f.Path));
        throw new HubException(matches.Count == 0
            ? $"{spec.Repo}@{spec.Revision} has no GGUF file of quant type {spec.Quant}; it has {have}"
            : $"{spec.Repo}@{spec.Revision} has several GGUF files of quant type {spec.Quant} ({string.Join(", ", matches.Select(f => f.Path))}); name one with hf://{spec.Repo}/FILE");
    }

    /// <summary>The file of the spec's quant type already in the cached snapshot of its revision, or null (then the Hub is asked).</summary>
    private string? CachedQuant(PullSpec spec)
    {
        if (spec.Quant == null || Cache.ReadRef(spec.Repo, spec.Revision) is not string commit) return null;
        string dir = Path.GetDirectoryName(Cache.SnapshotPath(spec.Repo, commit, "x"))!;
        if (!Directory.Exists(dir)) return null;
        var files = Directory.EnumerateFiles(dir, "*.gguf", SearchOption.AllDirectories)
            .Select(f => new HfFile(Path.GetRelativePath(dir, f).Replace(Path.DirectorySeparatorChar, '/'), 0, null, null)).ToList();
        try
        {
            return PickQuant(spec, files).Path;
        }
        catch (HubException)
        {
            return null; // not (unambiguously) there: the tree decides
        }
    }

    private Uri ResolveUrl(string repo, string revision, string file) =>
        new($"{endpoint}/{repo}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");

    private static string NormalizeEtag(string etag)
    {
        string e = etag.Trim();
        if (e.StartsWith("W/", StringComparison.Ordinal)) e = e[2..];
        return e.Trim('"');
    }

    private static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) ? v.FirstOrDefault() : null;

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string List(IReadOnlyList<HfFile> tree) =>
        tree.Count == 0 ? "no files" : string.Join(", ", tree.Take(20).Select(f => f.Path)) + (tree.Count > 20 ? ", …" : "");

    [GeneratedRegex(@"-(\d{5})-of-\d{5}\.gguf$", RegexOptions.IgnoreCase)]
    private static partial Regex SplitShard();
}
