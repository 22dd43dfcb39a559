// The Hugging Face hub cache layout, shared with huggingface_hub and llama.cpp:
//   models--OWNER--REPO/blobs/ETAG, refs/REVISION (holds the commit), snapshots/COMMIT/PATH -> ../../blobs/ETAG
namespace Weft.Catalog.Store;

/// <summary>Paths and links in one Hugging Face hub cache folder.</summary>
public sealed class HfCache(string root)
{
    /// <summary>The cache folder (the one holding models--*).</summary>
    public string Root { get; } = root;

    /// <summary>models--owner--repo.</summary>
    public string RepoFolder(string repo) => Path.Combine(Root, "models--" + repo.Replace("/", "--", StringComparison.Ordinal));

    /// <summary>blobs/&lt;id&gt; (id = the ETag: sha256 for LFS files, git blob sha1 otherwise).</summary>
    public string BlobPath(string repo, string blobId) => Path.Combine(RepoFolder(repo), "blobs", blobId);

    /// <summary>snapshots/&lt;commit&gt;/&lt;file&gt;.</summary>
    public string SnapshotPath(string repo, string commit, string file) =>
        Path.Combine(RepoFolder(repo), "snapshots", commit, file.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The commit refs/&lt;revision&gt; points at, or null; a commit hash is its own answer.</summary>
    public string? ReadRef(string repo, string revision)
    {
        if (IsCommit(revision)) return revision;
        string path = Path.Combine(RepoFolder(repo), "refs", revision);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    /// <summary>Records that <paramref name="revision"/> is <paramref name="commit"/> (not written for a commit hash).</summary>
    public void WriteRef(string repo, string revision, string commit)
    {
        if (IsCommit(revision)) return;
        string path = Path.Combine(RepoFolder(repo), "refs", revision);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + ".tmp" + Environment.ProcessId;
        File.WriteAllText(temp, commit);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The snapshot file when it exists and its target is complete, else null. Finds files other tools pulled.</summary>
    public string? FindSnapshot(string repo, string revision, string file)
    {
        string? commit = ReadRef(repo, revision);
        if (commit == null) return null;
        string path = SnapshotPath(repo, commit, file);
        return File.Exists(path) ? path : null; // File.Exists follows the link: a dangling link is not a file
    }

    /// <summary>Links snapshots/&lt;commit&gt;/&lt;file&gt; to the blob with a relative symlink (created under a temp name of its own, then renamed over
    /// whatever is there, so concurrent pulls of one file each end with the same whole link).</summary>
    public string LinkSnapshot(string repo, string commit, string file, string blobId)
    {
        string link = SnapshotPath(repo, commit, file);
        string dir = Path.GetDirectoryName(link)!;
        Directory.CreateDirectory(dir);
        string target = Path.GetRelativePath(dir, BlobPath(repo, blobId));
        // a name of its own per call: two pulls of one file (in one process or two) never share a temp link
        string temp = $"{link}.tmp{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            File.CreateSymbolicLink(temp, target);
        }
        catch (IOException)
        {
            File.Copy(BlobPath(repo, blobId), temp, overwrite: true); // file systems without links get a copy, as huggingface_hub does
        }
        catch (UnauthorizedAccessException)
        {
            File.Copy(BlobPath(repo, blobId), temp, overwrite: true);
        }
        try
        {
            File.Move(temp, link, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        return link;
    }

    /// <summary>A 40-digit hex commit hash.</summary>
    public static bool IsCommit(string revision) => revision.Length == 40 && revision.All(Uri.IsHexDigit);
}
