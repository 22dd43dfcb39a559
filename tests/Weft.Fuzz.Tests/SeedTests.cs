// The seed corpora our writers make: no seed is a finding, and each target accepts at least one seed whole, so that
// fuzzing starts from inputs that reach past the first checks.
using Weft.Fuzz;
using Weft.Fuzz.Seeds;

namespace Weft.Fuzz.Tests;

public sealed class SeedTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"weft-fuzz-seeds-{Guid.NewGuid():N}");

    public SeedTests()
    {
        Environment.SetEnvironmentVariable("LLAMA_SRC", null);
        SeedWriter.WriteAll(_dir);
    }

    public static TheoryData<string> Targets() => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Seeds_are_accepted_and_none_is_a_finding(string target)
    {
        var t = FuzzTargets.Get(target);
        string[] seeds = Directory.GetFiles(Path.Combine(_dir, target));
        Assert.NotEmpty(seeds);
        int accepted = 0;
        foreach (string seed in seeds)
        {
            var error = Record.Exception(() => t.Feed(File.ReadAllBytes(seed)));
            Assert.True(error == null || t.IsDocumented(error), $"{target}/{Path.GetFileName(seed)}: {error}");
            if (error == null) accepted++;
        }
        Assert.True(accepted > 0, $"{target}: every seed fails with a documented error; the corpus does not reach past the first checks");
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
