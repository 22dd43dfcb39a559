// Where targets that read files put their input: one folder per process and thread (test classes replay inputs in
// parallel), in memory (/dev/shm) when the system has it.
namespace Weft.Fuzz;

public static class Scratch
{
    private static readonly string Root = CreateRoot();

    private static string CreateRoot()
    {
        string parent = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string root = Path.Combine(parent, $"weft-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        return root;
    }

    /// <summary>Writes <paramref name="data"/> to a file named <paramref name="name"/> and returns its path.</summary>
    public static string File(string name, ReadOnlySpan<byte> data)
    {
        string path = Path.Combine(Root, $"{Environment.CurrentManagedThreadId}-{name}");
        System.IO.File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    /// <summary>An empty folder holding only the given files (a null content leaves that file out).</summary>
    public static string Folder(params (string Name, byte[]? Content)[] files)
    {
        string folder = Path.Combine(Root, $"folder-{Environment.CurrentManagedThreadId}");
        TryDelete(folder);
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in files)
            if (content != null) System.IO.File.WriteAllBytes(Path.Combine(folder, name), content);
        return folder;
    }

    private static void TryDelete(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (IOException) { }
    }
}
