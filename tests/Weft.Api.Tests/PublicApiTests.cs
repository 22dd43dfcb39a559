// The public API of every library package, as committed in api/NAME.txt: a change to it fails here until the file is
// updated with it (WEFT_UPDATE_API=1 dotnet test tests/Weft.Api.Tests), so additions and breaks are seen in review.
using System.Reflection;
using PublicApiGenerator;

namespace Weft.Api.Tests;

public class PublicApiTests
{
    public static TheoryData<string> Libraries => new(
        "Weft.Tensors", "Weft.Formats", "Weft.Tokenizers", "Weft.Models", "Weft.Inference", "Weft.Training",
        "Weft.Catalog", "Weft.Evaluation", "Weft.Server", "Weft.Extensions.AI");

    private static readonly ApiGeneratorOptions Options = new() { IncludeAssemblyAttributes = false };

    [Theory]
    [MemberData(nameof(Libraries))]
    public void ThePublicApiIsTheCommittedOne(string library)
    {
        string api = Assembly.Load(library).GeneratePublicApi(Options).ReplaceLineEndings("\n") + "\n";
        string path = Path.Combine(RepositoryRoot(), "api", library + ".txt");
        if (Environment.GetEnvironmentVariable("WEFT_UPDATE_API") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path + ".tmp", api);
            File.Move(path + ".tmp", path, overwrite: true);
        }
        Assert.True(File.Exists(path), $"{path} is missing: run WEFT_UPDATE_API=1 dotnet test tests/Weft.Api.Tests");
        string committed = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.True(committed == api,
            $"the public API of {library} changed: review the difference, then run WEFT_UPDATE_API=1 dotnet test tests/Weft.Api.Tests to update {path}\n{FirstDifference(committed, api)}");
    }

    /// <summary>The first line that differs, with its number, for the failure message.</summary>
    private static string FirstDifference(string committed, string actual)
    {
        var a = committed.Split('\n');
        var b = actual.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string x = i < a.Length ? a[i] : "(end)", y = i < b.Length ? b[i] : "(end)";
            if (x != y) return $"line {i + 1}: committed `{x.Trim()}`, now `{y.Trim()}`";
        }
        return "";
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Weft.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no Weft.slnx above {AppContext.BaseDirectory}");
    }
}
