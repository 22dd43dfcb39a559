// The llama.cpp reference harness (../shared/refharness) as a test oracle: logits, greedy generations, quantization.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Weft.TestKit;

public static class Oracle
{
    public static string Binary => Environment.GetEnvironmentVariable("REFH") is { Length: > 0 } p ? p : "/tmp/refharness/bin/refharness";
    public static string LlamaSource => Environment.GetEnvironmentVariable("LLAMA_SRC") is { Length: > 0 } p ? p : "/tmp/llamacpp-src";
    public static string RefModels => Environment.GetEnvironmentVariable("REFMODELS") is { Length: > 0 } p ? p : "/tmp/refmodels";

    private static readonly object SetupGate = new();

    /// <summary>The shared folder beside the repository (WEFT_SHARED overrides).</summary>
    public static string SharedFolder
    {
        get
        {
            if (Environment.GetEnvironmentVariable("WEFT_SHARED") is { Length: > 0 } s) return s;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Weft.slnx"))) return Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
            return "../shared";
        }
    }

    /// <summary>Installs the oracle with ../shared/refharness/setup.sh when it is missing; fails (never skips) when it cannot.</summary>
    public static void Require()
    {
        if (File.Exists(Binary) && Directory.Exists(LlamaSource)) return;
        lock (SetupGate)
        {
            if (File.Exists(Binary) && Directory.Exists(LlamaSource)) return;
            RunScript("bash", Path.Combine(SharedFolder, "refharness", "setup.sh"));
            if (!File.Exists(Binary))
                throw new InvalidOperationException($"the llama.cpp oracle is not installed at {Binary}: run ../shared/refharness/setup.sh");
        }
    }

    /// <summary>A model written by llama.cpp's own Python GGUF writer (../shared/refharness/mkmodels.py), made on first use.</summary>
    public static string RefModel(string model, string type)
    {
        string path = Path.Combine(RefModels, $"{model}-{type}.gguf");
        if (File.Exists(path)) return path;
        Require();
        lock (SetupGate)
        {
            if (!File.Exists(path))
                RunScript("/usr/bin/python3", Path.Combine(SharedFolder, "refharness", "mkmodels.py"), "--no-bench", "--no-hash", "--only", model);
        }
        return File.Exists(path) ? path : throw new InvalidOperationException($"mkmodels.py did not write {path}");
    }

    private static void RunScript(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONPATH"] = Path.Combine(LlamaSource, "gguf-py");
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({p.ExitCode}):\n{stdout}\n{err.Result}");
    }

    public static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        Require();
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OMP_NUM_THREADS"] = "2";
        using var p = Process.Start(psi)!;
        var stderrTask = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderrTask.Result);
    }

    private static string RunOk(params string[] args)
    {
        var (exit, stdout, stderr) = Run(args);
        if (exit != 0) throw new InvalidOperationException($"refharness {string.Join(' ', args)} failed ({exit}):\n{stderr}");
        return stdout;
    }

    /// <summary>Logits of every position of <paramref name="ids"/> evaluated as one batch: [ids.Length, vocab].</summary>
    public static float[] Logits(string model, IReadOnlyList<int> ids) => Logits(model, ids, []);

    /// <summary>The same with LoRA adapters applied by llama.cpp (--lora FILE --lora-scale S each).</summary>
    public static float[] Logits(string model, IReadOnlyList<int> ids, IReadOnlyList<(string Path, float Scale)> adapters)
    {
        string output = Path.Combine(Path.GetTempPath(), $"weft-oracle-{Guid.NewGuid():N}.f32");
        try
        {
            var args = new List<string> { "logits", model };
            args.AddRange(ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));
            args.Add("--out");
            args.Add(output);
            foreach (var (path, scale) in adapters) args.AddRange(["--lora", path, "--lora-scale", scale.ToString("R", CultureInfo.InvariantCulture)]);
            RunOk(args.ToArray());
            return MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>Greedy continuation of <paramref name="prompt"/>, plus the logits of each generated step ([n, vocab]).</summary>
    public static (int[] Ids, float[] StepLogits) Generate(string model, IReadOnlyList<int> prompt, int n)
    {
        string output = Path.Combine(Path.GetTempPath(), $"weft-oracle-{Guid.NewGuid():N}.f32");
        try
        {
            string stdout = RunOk("generate", model, "--prompt-ids", string.Join(',', prompt), "--n", n.ToString(CultureInfo.InvariantCulture), "--out-logits", output);
            var ids = stdout.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            return (ids, MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray());
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>llama.cpp's embedding of <paramref name="text"/>: mean-pooled final hidden state after the output norm, unit length.</summary>
    public static float[] Embed(string model, string text) =>
        System.Text.Json.JsonSerializer.Deserialize<float[]>(RunOk("embed", model, text))!;

    public static void Quantize(string input, string output, string type, bool pure = false)
    {
        var args = new List<string> { "quantize", input, output, type };
        if (pure) args.Add("--pure");
        RunOk(args.ToArray());
    }
}
