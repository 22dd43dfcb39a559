// Feeds saved inputs (files, or every file of a folder) to a target and reports each finding with its exception.
namespace Weft.Fuzz;

public static class Replay
{
    /// <summary>WEFT_FUZZ_VERBOSE=1 also prints what happened to each input that is not a finding.</summary>
    private static readonly bool Verbose = Environment.GetEnvironmentVariable("WEFT_FUZZ_VERBOSE") == "1";

    public static int Files(FuzzTarget target, IEnumerable<string> paths)
    {
        int findings = 0, inputs = 0;
        foreach (string path in paths.SelectMany(Expand))
        {
            inputs++;
            try
            {
                target.Feed(File.ReadAllBytes(path));
                if (Verbose) Console.WriteLine($"accepted: {path}");
            }
            catch (Exception e) when (target.IsDocumented(e))
            {
                if (Verbose) Console.WriteLine($"refused: {path}: {e.Message}");
            }
            catch (Exception e)
            {
                findings++;
                Console.WriteLine($"finding: {path}: {e.GetType().FullName}: {e.Message}");
                Console.WriteLine(e.StackTrace);
            }
        }
        Console.WriteLine($"{target.Name}: {inputs} inputs, {findings} findings");
        return findings == 0 ? 0 : 1;
    }

    private static IEnumerable<string> Expand(string path) =>
        Directory.Exists(path)
            ? Directory.EnumerateFiles(path).Where(f => !Path.GetFileName(f).StartsWith("README", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            : [path];
}
