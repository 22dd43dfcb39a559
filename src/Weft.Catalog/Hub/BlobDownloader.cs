// Downloads one blob resumably: BLOB.incomplete grows with Range requests, is checked, then renamed to BLOB.
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Weft.Catalog.Store;

namespace Weft.Catalog.Hub;

/// <summary>
/// Fetches <c>url</c> into a final blob path. A partial file is never under the final name: bytes go to
/// &lt;blob&gt;.incomplete, are checked against size and sha256, and only then renamed. Cancellation or a dropped
/// connection leaves the partial for the next pull to resume; &lt;blob&gt;.lock keeps two pulls apart.
/// </summary>
public static class BlobDownloader
{
    private const int BufferBytes = 1 << 20;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Makes sure <paramref name="blobPath"/> exists with the expected content; returns true when bytes were fetched.</summary>
    /// <param name="sha256">lower-case hex digest to verify, or null when the server gave none.</param>
    /// <param name="size">expected length in bytes, or null.</param>
    /// <param name="reject">looks at the whole, verified partial file before the rename and returns why it is not what
    /// was asked for (e.g. an HTML page), or null; a rejected partial is deleted.</param>
    public static async Task<bool> EnsureAsync(HubHttp http, Uri url, string blobPath, string? sha256, long? size, string name,
        Action<DownloadProgress>? progress, CancellationToken ct, Func<string, string?>? reject = null)
    {
        if (File.Exists(blobPath)) return false;
        bool fetched;
        using (await BlobLock.AcquireAsync(blobPath + ".lock", ct).ConfigureAwait(false))
        {
            if (File.Exists(blobPath)) return false; // the other pull finished it
            string partial = blobPath + ".incomplete";
            await FetchAsync(http, url, partial, size, name, progress, ct).ConfigureAwait(false);
            await VerifyAsync(partial, sha256, size, url, ct).ConfigureAwait(false);
            if (reject?.Invoke(partial) is string problem)
            {
                File.Delete(partial);
                throw new HubException($"{url}: {problem}; the download was deleted");
            }
            File.Move(partial, blobPath, overwrite: false);
            fetched = true;
        }
        TryDelete(blobPath + ".lock");
        return fetched;
    }

    private static async Task FetchAsync(HubHttp http, Uri url, string partial, long? size, string name,
        Action<DownloadProgress>? progress, CancellationToken ct)
    {
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (size is long n && have > n) { File.Delete(partial); have = 0; }
        long from = have;
        using var response = await http.SendAsync(HttpMethod.Get, url, h =>
        {
            if (from > 0) h.Range = new System.Net.Http.Headers.RangeHeaderValue(from, null);
        }, followOtherHosts: true, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable) return; // already whole: verified next
        HubHttp.EnsureSuccess(response, url, $"downloading {name}");
        bool append = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == from;
        if (!append) have = 0; // a 200 (or a range we did not ask for) restarts from byte 0
        long? total = size ?? (response.Content.Headers.ContentRange?.Length)
            ?? (response.Content.Headers.ContentLength is long len ? len + have : null);

        Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
        await using var output = OpenForWrite(partial, append);
        await using var input = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = new byte[BufferBytes];
        var clock = Stopwatch.StartNew();
        long startBytes = have;
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            ct.ThrowIfCancellationRequested(); // a cancelled pull keeps its partial for the next one
            int read;
            try
            {
                read = await input.ReadAsync(buffer, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new HubException($"connection lost while downloading {name} from {url.GetLeftPart(UriPartial.Authority)} after {have:N0}"
                    + (total is long t ? $" of {t:N0}" : "") + $" bytes; the partial file {partial} is kept: pull again to resume", e);
            }
            if (read == 0) break;
            try
            {
                await output.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new HubException($"cannot write {partial} ({e.Message}); is the disk full? Free space or choose another cache folder with --cache or HF_HUB_CACHE", e);
            }
            bool first = have == startBytes;
            have += read;
            if (progress != null && (first || clock.Elapsed - lastReport >= ProgressInterval))
            {
                lastReport = clock.Elapsed;
                progress(Report(name, have, startBytes, total, clock.Elapsed));
            }
        }
        progress?.Invoke(Report(name, have, startBytes, total, clock.Elapsed));
    }

    private static DownloadProgress Report(string name, long have, long startBytes, long? total, TimeSpan elapsed)
    {
        double speed = elapsed.TotalSeconds > 0 ? (have - startBytes) / elapsed.TotalSeconds : 0;
        TimeSpan? eta = total is long t && speed > 0 ? TimeSpan.FromSeconds(Math.Max(0, t - have) / speed) : null;
        return new DownloadProgress(name, have, total, speed, eta);
    }

    private static FileStream OpenForWrite(string partial, bool append)
    {
        try
        {
            return new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true); // unbuffered: chunks are 1 MiB, and a full disk shows at the write
        }
        catch (IOException e)
        {
            throw new HubException($"cannot write {partial}: {e.Message}", e);
        }
    }

    private static async Task VerifyAsync(string partial, string? sha256, long? size, Uri url, CancellationToken ct)
    {
        if (!File.Exists(partial)) throw new HubException($"{url}: the server sent nothing and no partial file {partial} exists");
        long length = new FileInfo(partial).Length;
        if (size is long n && length != n)
        {
            if (length > n) File.Delete(partial);
            throw new HubException($"{partial}: {length:N0} bytes where {url} declared {n:N0}; "
                + (length > n ? "the file was deleted, pull again" : "pull again to resume"));
        }
        if (sha256 == null) return;
        string actual;
        await using (var stream = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, BufferBytes, useAsync: true))
            actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
        if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(partial);
            throw new HubException($"{url}: downloaded bytes have sha256 {actual} but the server declared {sha256}; the corrupt partial file was deleted, pull again");
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
