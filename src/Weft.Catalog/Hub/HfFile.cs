// One file of a Hugging Face repository tree and what a HEAD on its resolve URL says.
namespace Weft.Catalog.Hub;

/// <summary>A tree entry: path, size, and the LFS sha256 when the file is stored in LFS.</summary>
public sealed record HfFile(string Path, long Size, string? Sha256, string? GitOid);

/// <summary>Headers of a resolve URL: the commit it resolved to, the blob id (ETag) and the size.</summary>
public sealed record HfResolved(string Commit, string Etag, long? Size, Uri DownloadUrl);
