// A fresh folder under the system temp folder, deleted afterwards.
namespace Weft.Catalog.Tests.Hub;

internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("weft-hub-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
