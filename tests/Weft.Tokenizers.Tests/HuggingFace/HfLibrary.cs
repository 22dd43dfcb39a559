// The independent oracle: Hugging Face's tokenizers library, installed from npm into a folder under /tmp on first
// use (nothing is committed) and driven by hf_tokenize.js.
using System.Diagnostics;
using System.Text.Json;

namespace Weft.Tokenizers.Tests.HuggingFace;

internal static class HfLibrary
{
    private const string Package = "@anush008/tokenizers@0.6.0";

    public static string Home => Environment.GetEnvironmentVariable("WEFT_HF_TOKENIZERS") ?? "/tmp/weft-hf-tokenizers";

    private static string Module => Path.Combine(Home, "node_modules", "@anush008", "tokenizers");

    private static readonly Lazy<string> s_module = new(Install);

    private static string Install()
    {
        Directory.CreateDirectory(Home);
        // other test processes may be installing at the same time: hold a lock file while checking and installing
        using var lockFile = Acquire(Path.Combine(Home, ".install-lock"));
        if (Directory.Exists(Module) && File.Exists(Path.Combine(Module, "index.js"))) return Module;
        var (rc, output) = Run("npm", ["install", "--prefix", Home, "--no-audit", "--no-fund", Package], TimeSpan.FromMinutes(5));
        if (rc != 0) throw new InvalidOperationException($"npm install {Package} into {Home} failed ({rc}):\n{output}");
        return Module;
    }

    private static FileStream Acquire(string path)
    {
        for (int i = 0; ; i++)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (i < 600) { Thread.Sleep(500); }
        }
    }

    /// <summary>Ids (no added special tokens) and decoded texts of <paramref name="texts"/> under a tokenizer.json.</summary>
    public static (int[][] Ids, string[] Decoded) Tokenize(string tokenizerJson, IReadOnlyList<string> texts, bool cleanup)
    {
        string module = s_module.Value;
        string work = Path.Combine(Path.GetTempPath(), "weft-hf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            string req = Path.Combine(work, "req.json"), resp = Path.Combine(work, "resp.json");
            File.WriteAllText(req, JsonSerializer.Serialize(new { tokenizer = tokenizerJson, cleanup, texts }));
            string script = Path.Combine(AppContext.BaseDirectory, "HuggingFace", "hf_tokenize.js");
            var (rc, output) = Run("node", [script, req, resp], TimeSpan.FromMinutes(5), ("HF_TOKENIZERS_MODULE", module));
            if (rc != 0) throw new InvalidOperationException($"the Hugging Face tokenizers library failed ({rc}):\n{output}");
            using var doc = JsonDocument.Parse(File.ReadAllText(resp));
            var ids = doc.RootElement.GetProperty("ids").EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
            var decoded = doc.RootElement.GetProperty("decoded").EnumerateArray().Select(s => s.GetString()!).ToArray();
            return (ids, decoded);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static (int Rc, string Output) Run(string exe, string[] args, TimeSpan limit, params (string, string)[] env)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {exe}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{exe} {string.Join(' ', args)} ran past {limit}");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
