// One report of a download's progress.
namespace Weft.Catalog.Hub;

/// <summary>Bytes on disk so far (resumed bytes included), the total when known, speed of this run, time left.</summary>
public sealed record DownloadProgress(string File, long Bytes, long? Total, double BytesPerSecond, TimeSpan? Eta);
