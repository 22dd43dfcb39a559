// Access to the llama.cpp reference tools installed by ../shared/refharness/setup.sh: the llama.cpp source tree
// (for gguf-py), Debian's python3 with numpy, and the refharness binary. Missing tools fail the test loudly.
using System.Diagnostics;

namespace Weft.Tensors.Tests;

internal static class LlamaCppOracle
{
    private const string SetupHint = "run ../shared/refharness/setup.sh (from the repository root) to install the llama.cpp reference tools";

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;

    public static string Source => Env("LLAMA_SRC", "/tmp/llamacpp-src");
    public static string Python => Env("PY", "/usr/bin/python3");
    public static string Refharness => Env("REFH", "/tmp/refharness/bin/refharness");

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "scripts", name);

    /// <summary>Fails unless gguf-py (in the llama.cpp source) and python3 are present.</summary>
    public static void RequireGgufPy()
    {
        string gguf = Path.Combine(Source, "gguf-py", "gguf", "quants.py");
        if (!File.Exists(gguf))
            Assert.Fail($"llama.cpp source not found ({gguf} is missing): {SetupHint}");
        if (!File.Exists(Python))
            Assert.Fail($"python interpreter {Python} not found: {SetupHint}");
    }

    /// <summary>Fails unless gguf-py and the refharness binary are present.</summary>
    public static void RequireRefharness()
    {
        RequireGgufPy();
        if (!File.Exists(Refharness))
            Assert.Fail($"refharness binary not found at {Refharness}: {SetupHint}");
    }

    /// <summary>Runs a script from scripts/ with gguf-py on the path; fails the test on a non-zero exit.</summary>
    public static string RunScript(string script, params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Script(script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONPATH"] = Path.Combine(Source, "gguf-py");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{script} did not finish in 5 minutes");
        }
        string all = stdout + stderr.Result;
        if (p.ExitCode != 0)
            Assert.Fail($"{script} exited with {p.ExitCode}:\n{all}");
        return all;
    }

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("weft-kquant-").FullName;

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }
        }
    }
}
