// How a task's data is fetched when no local copy is found: the cache folder, offline mode, progress and log.
using Weft.Catalog.Hub;
using Weft.Evaluation.Storage;

namespace Weft.Evaluation.Tasks;

public sealed record DataDownload
{
    /// <summary>The environment variable that turns downloads off when set to anything but empty, 0 or false.</summary>
    public const string OfflineVariable = "WEFT_OFFLINE";

    /// <summary>Where downloaded files are kept (default $WEFT_HOME/data or ~/.weft/data, one of the data folders).</summary>
    public string Folder { get; init; } = WeftHome.DataFolder;

    /// <summary>Never download: a missing file is the same error as without a URL.</summary>
    public bool Offline { get; init; }

    /// <summary>Bytes so far of the file being downloaded.</summary>
    public Action<DownloadProgress>? Progress { get; init; }

    /// <summary>A line as each download starts (what, from where, to where) and as it is saved.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>True when <see cref="OfflineVariable"/> asks for offline mode.</summary>
    public static bool OfflineFromEnvironment() =>
        Environment.GetEnvironmentVariable(OfflineVariable)?.Trim() is { Length: > 0 } v && v != "0" && !v.Equals("false", StringComparison.OrdinalIgnoreCase);
}
