// A file mapped read-only into memory: base address and length (taken from the open handle, so the mapping and every
// bounds check agree), valid until disposed. An empty file has no mapping and a null base.
using System.IO.MemoryMappedFiles;

namespace Weft.Formats;

public sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;

    private MappedFile(MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePtr, long length)
    {
        _map = map;
        _view = view;
        Base = basePtr;
        Length = length;
    }

    /// <summary>First byte of the file; null once disposed (and for an empty file).</summary>
    public byte* Base { get; private set; }
    public long Length { get; }
    public bool Disposed { get; private set; }

    /// <summary>Maps <paramref name="path"/> and hands the mapping to <paramref name="parse"/>, which owns it from then
    /// on; when parsing fails the mapping is released, and I/O failures become a <see cref="ModelFormatException"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "the parse result owns the mapping; it is disposed when parsing fails")]
    public static T OpenWith<T>(string path, string kind, Func<MappedFile, T> parse)
    {
        var file = Open(path, kind);
        try
        {
            return parse(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            file.Dispose();
            throw new ModelFormatException($"{path}: cannot read the file: {e.Message}");
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Maps <paramref name="path"/>; a folder, a missing file or an unreadable one is a
    /// <see cref="ModelFormatException"/> that calls the file a <paramref name="kind"/> file.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "the stream is disposed on every path: by itself for an empty file, by the mapping (leaveOpen false) after, in the catch before")]
    public static MappedFile Open(string path, string kind)
    {
        if (Directory.Exists(path)) throw new ModelFormatException($"{path}: is a directory, not a {kind} file");
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: no such file");
        FileStream? fs = null;
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        bool acquired = false;
        try
        {
            fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            long length = fs.Length;
            if (length == 0)
            {
                fs.Dispose();
                return new MappedFile(null, null, null, 0);
            }
            map = MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            fs = null; // owned by the mapping now
            view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            acquired = true;
            return new MappedFile(map, view, p + view.PointerOffset, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            Release(view, acquired, map, fs);
            throw new ModelFormatException($"{path}: cannot read the file: {e.Message}");
        }
        catch
        {
            Release(view, acquired, map, fs);
            throw;
        }
    }

    private static void Release(MemoryMappedViewAccessor? view, bool acquired, MemoryMappedFile? map, FileStream? fs)
    {
        if (view != null)
        {
            if (acquired) view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
        }
        map?.Dispose();
        fs?.Dispose();
    }

    public void Dispose()
    {
        if (Disposed) return;
        Disposed = true;
        Base = null;
        Release(_view, _view != null, _map, null);
    }
}
