// An exclusive lock on one blob, so two pulls of one file never write it at once.
namespace Weft.Catalog.Store;

/// <summary>
/// Holds &lt;blob&gt;.lock open with FileShare.None (an advisory lock the OS drops when the process dies).
/// A second holder waits until the first is done.
/// </summary>
public sealed class BlobLock : IDisposable
{
    private readonly FileStream stream;

    private BlobLock(FileStream stream) => this.stream = stream;

    /// <summary>Waits for the lock on <paramref name="lockPath"/>, polling every 100 ms.</summary>
    public static async Task<BlobLock> AcquireAsync(string lockPath, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        while (true)
        {
            try
            {
                return new BlobLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                // another pull holds it
            }
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => stream.Dispose();
}
