// The llama.cpp checkout that ../shared/refharness/setup.sh makes: its gguf-py package and its vocabulary GGUF files.
using System.Diagnostics;

namespace Weft.Formats.Tests;

internal static class Reference
{
    private const string Python = "/usr/bin/python3";

    public static string LlamaSrc => Environment.GetEnvironmentVariable("LLAMA_SRC") is { Length: > 0 } s ? s : "/tmp/llamacpp-src";

    /// <summary>The llama.cpp source folder; a test that needs it fails (never skips) when it is missing.</summary>
    public static string RequireLlamaSrc()
    {
        string src = LlamaSrc;
        if (!Directory.Exists(System.IO.Path.Combine(src, "gguf-py", "gguf")) || !Directory.Exists(System.IO.Path.Combine(src, "models")))
            Assert.Fail($"the llama.cpp reference checkout is missing at {src} (gguf-py/ and models/ expected): run ../shared/refharness/setup.sh");
        if (!File.Exists(Python))
            Assert.Fail($"{Python} is missing: run ../shared/refharness/setup.sh");
        return src;
    }

    public static string Script(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "scripts", name);

    /// <summary>Runs one of our gguf-py scripts and returns its standard output; a non-zero exit fails the test.</summary>
    public static string RunScript(string script, params string[] args)
    {
        string src = RequireLlamaSrc();
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Script(script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONPATH"] = System.IO.Path.Combine(src, "gguf-py");
        psi.Environment["PYTHONIOENCODING"] = "utf-8";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{script} did not finish within 120 s");
        }
        if (p.ExitCode != 0)
            Assert.Fail($"{script} {string.Join(' ', args)} exited with {p.ExitCode} (numpy missing? run ../shared/refharness/setup.sh):\n{stderr.Result}");
        return stdout;
    }
}
