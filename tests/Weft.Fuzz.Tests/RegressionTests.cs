// Every input the fuzzer ever found (Regressions/TARGET/NAME) fed again to its target: only the parser's documented
// error, or success, may come out.
using Weft.Fuzz;

namespace Weft.Fuzz.Tests;

public sealed class RegressionTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Regressions");

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string folder in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
            foreach (string file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
                data.Add(Path.GetFileName(folder), Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_gives_only_the_documented_error(string target, string name)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(Root, target, name));
        var t = FuzzTargets.Get(target);
        var error = Record.Exception(() => t.Feed(input));
        Assert.True(error == null || t.IsDocumented(error), $"{target}/{name}: {error}");
    }

    [Fact]
    public void Every_regression_folder_names_a_target()
    {
        var names = FuzzTargets.All.Select(t => t.Name).ToHashSet();
        foreach (string folder in Directory.EnumerateDirectories(Root))
            Assert.Contains(Path.GetFileName(folder), names);
        Assert.NotEmpty(Inputs());
    }
}
