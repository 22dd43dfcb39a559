// Runs the built `weft` command in a child process, as a user would.
using System.Diagnostics;

namespace Weft.Cli.Tests;

public sealed record WeftResult(int Exit, string Stdout, string Stderr);

public static class WeftProcess
{
    public static WeftResult Run(params string[] args) => RunWithInput(null, args);

    /// <summary>Pull caches no test writes: the user's own are never read or touched.</summary>
    public static readonly string NoCache = Path.Combine(Path.GetTempPath(), "weft-tests-no-pull-cache");

    public static WeftResult RunWithInput(string? stdin, params string[] args) => RunWith(stdin, new Dictionary<string, string?>(), args);

    /// <summary>Runs with <paramref name="environment"/> added to (or, for null values, removed from) this process's.</summary>
    /// <summary>As <see cref="Run"/> with a longer limit, for work whose size alone makes it slow on a busy machine
    /// (the limit still tells linear time from quadratic).</summary>
    public static WeftResult RunLong(int seconds, params string[] args) => RunWith(null, new Dictionary<string, string?>(), args, seconds);

    public static WeftResult RunWithEnvironment(IReadOnlyDictionary<string, string?> environment, params string[] args) => RunWith(null, environment, args);

    private static WeftResult RunWith(string? stdin, IReadOnlyDictionary<string, string?> environment, string[] args, int seconds = 120)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "weft.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.Environment["HF_HUB_CACHE"] = NoCache;
        psi.Environment["OLLAMA_MODELS"] = NoCache;
        foreach (var (name, value) in environment)
        {
            if (value == null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        }
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        if (stdin != null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        var err = p.StandardError.ReadToEndAsync();
        var outTask = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(seconds * 1000))
        {
            p.Kill(true);
            throw new TimeoutException($"weft {string.Join(' ', args)} did not finish in {seconds} s");
        }
        return new WeftResult(p.ExitCode, outTask.Result, err.Result);
    }

    /// <summary>A failure a user caused: one `weft: error:` line, non-zero exit, no stack trace.</summary>
    public static void AssertUserError(WeftResult r, string? mentions = null)
    {
        Assert.True(r.Exit != 0, $"expected a non-zero exit\nstdout: {r.Stdout}\nstderr: {r.Stderr}");
        Assert.StartsWith("weft: error: ", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
        if (mentions != null) Assert.Contains(mentions, r.Stderr, StringComparison.Ordinal);
    }
}
