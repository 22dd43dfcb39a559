// Fetches a task's file (or labels file) from its published URL into the data cache through the hub's HTTP client
// and resumable downloader: bytes grow in NAME.incomplete and are renamed to NAME only when whole and checked.
using System.Text;
using Weft.Catalog.Hub;
using Weft.Evaluation.Data;

namespace Weft.Evaluation.Tasks;

public static class TaskDownloader
{
    private const int SniffBytes = 512; // enough to see an HTML page's opening tag after white space

    /// <summary>The name a download is kept under: the task's usual name, without `.gz` when the URL serves the plain
    /// file (hellaswag_val.txt.gz from …/hellaswag_val_full.txt is kept as hellaswag_val.txt), so the name always
    /// says what the bytes are; the URL's own file name when the task has none.</summary>
    public static string StoredName(string? file, Uri url)
    {
        string served = Path.GetFileName(url.AbsolutePath);
        if (file == null) return served;
        bool gz = file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        return gz && !served.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? file[..^3] : file;
    }

    /// <summary>The cached copy of <paramref name="url"/>, downloading it first when missing (unless offline); null
    /// when there is no URL or no download settings, or when offline and nothing is cached.</summary>
    /// <param name="what">"data" or "labels", for messages.</param>
    public static string? Find(string task, string what, string? file, string? url, string? sha256, DataDownload? download)
    {
        if (url == null || download == null) return null;
        bool valid = Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri!.Scheme is "http" or "https";
        if (!valid) return download.Offline ? null : throw new TaskDataException($"{task}: the {what} URL '{url}' is not an http(s) URL");
        string name = StoredName(file, uri!);
        string path = Path.Combine(download.Folder, name);
        if (File.Exists(path)) return path; // downloaded before
        if (download.Offline) return null;
        if (IsArchive(uri!.AbsolutePath) && !IsArchive(name))
            throw new TaskDataException($"{task}: {name} is published inside the archive {url}; unpack {name} from it into {download.Folder}, or give --data FILE");
        download.Log?.Invoke($"{task}: downloading its {what} from {url} into {path}");
        using var http = new HubHttp(uri.GetLeftPart(UriPartial.Authority), token: null)
        {
            UnreachableHint = $"check the network; --offline or {DataDownload.OfflineVariable}=1 turns downloads off",
        };
        try
        {
            BlobDownloader.EnsureAsync(http, uri, path, sha256?.ToLowerInvariant(), size: null, name, download.Progress, CancellationToken.None, Reject)
                .GetAwaiter().GetResult();
        }
        catch (HubException e)
        {
            TryDelete(path + ".lock"); // the downloader removes it only after a success
            throw new TaskDataException($"{task}: cannot download its {what} from {url}: {e.Message}; give --data FILE, or put {file ?? name} in {download.Folder}", e);
        }
        download.Log?.Invoke($"{task}: saved {path} ({new FileInfo(path).Length:N0} bytes)");
        return path;
    }

    private static bool IsArchive(string name) =>
        name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why a whole download is not data: nothing at all, or an HTML page (a login, error or proxy page
    /// answered with 200).</summary>
    private static string? Reject(string partial)
    {
        var head = new byte[SniffBytes];
        int n;
        using (var f = File.OpenRead(partial)) n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n == 0) return "the server sent an empty file";
        int start = n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0;
        string text = Encoding.Latin1.GetString(head, start, n - start).TrimStart();
        bool html = text.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase) || text.StartsWith("<html", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("<head", StringComparison.OrdinalIgnoreCase);
        return html ? "the server answered an HTML page, not the data (a login, error or proxy page?)" : null;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
