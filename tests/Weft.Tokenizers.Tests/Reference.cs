// Where llama.cpp's vocabulary files and the refharness oracle live, and the tokenizers built from those files.
using System.Collections.Concurrent;
using Weft.Formats.Gguf;
using Weft.Models.Loading;
using Weft.Tokenizers;

namespace Weft.Tokenizers.Tests;

internal static class Reference
{
    private const string SetupHint = "run ../shared/refharness/setup.sh to set up llama.cpp and the oracle";

    public static string LlamaSource => Environment.GetEnvironmentVariable("LLAMA_SRC") ?? "/tmp/llamacpp-src";
    public static string RefharnessHome => Environment.GetEnvironmentVariable("REFH_HOME") ?? "/tmp/refharness";

    public static string ModelsDir
    {
        get
        {
            string dir = Path.Combine(LlamaSource, "models");
            if (!File.Exists(Path.Combine(dir, "ggml-vocab-llama-spm.gguf")))
                throw new InvalidOperationException($"llama.cpp's vocabulary files are missing from {dir}; {SetupHint}");
            return dir;
        }
    }

    public static string Refharness
    {
        get
        {
            string exe = Path.Combine(RefharnessHome, "bin", "refharness");
            if (!File.Exists(exe)) throw new InvalidOperationException($"the refharness oracle is missing ({exe}); {SetupHint}");
            return exe;
        }
    }

    public static string VocabPath(string name) => Path.Combine(ModelsDir, $"ggml-vocab-{name}.gguf");

    private static readonly ConcurrentDictionary<string, Lazy<Tokenizer>> s_tokenizers = new();

    /// <summary>The tokenizer of ggml-vocab-NAME.gguf, built once per test run.</summary>
    public static Tokenizer Load(string name) => s_tokenizers.GetOrAdd(name, n => new Lazy<Tokenizer>(() =>
    {
        using var file = GgufFile.Open(VocabPath(n));
        return GgufTokenizerLoader.Load(file);
    })).Value;

    /// <summary>The cases of VOCAB.gguf.inp/.out, split as llama.cpp's test-tokenizer-0 splits them.</summary>
    public static List<(string Text, int[] Ids)> Vectors(string name)
    {
        string path = VocabPath(name);
        string raw = File.ReadAllText(path + ".inp");
        const string sep = "\n__ggml_vocab_test__\n";
        var inputs = new List<string>();
        for (int pos = 0; pos < raw.Length;)
        {
            int next = raw.IndexOf(sep, pos, StringComparison.Ordinal);
            if (next < 0) { inputs.Add(raw[pos..]); break; }
            inputs.Add(raw[pos..next]);
            pos = next + sep.Length;
        }
        var outputs = File.ReadAllText(path + ".out").Split('\n');
        var cases = new List<(string, int[])>();
        for (int i = 0; i < inputs.Count; i++)
        {
            var ids = outputs[i].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
            cases.Add((inputs[i], ids));
        }
        return cases;
    }

    /// <summary>Vocabulary files with test vectors that this engine supports.</summary>
    public static readonly string[] VocabsWithVectors =
    [
        "llama-spm", "phi-3", "bert-bge", "gpt-2", "llama-bpe", "falcon", "qwen2", "qwen35", "deepseek-llm", "deepseek-coder",
        "starcoder", "mpt", "command-r", "refact", "gemma-4",
    ];

    public static string Show(string s) =>
        string.Concat(s.Select(c => c switch { '\n' => "\\n", '\t' => "\\t", '\r' => "\\r", _ => c.ToString() }));
}
