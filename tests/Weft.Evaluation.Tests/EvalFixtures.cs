// Shared inputs of the evaluation tests: tiny random-weight models of several families and real text.
using System.IO.Compression;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Evaluation.Tests;

internal static class EvalFixtures
{
    private static SyntheticModelSpec S(string name, int embd, int heads, int kvHeads, int layers, int ff, int seed) =>
        new() { Name = name, Embedding = embd, Heads = heads, KvHeads = kvHeads, Layers = layers, FeedForward = ff, Seed = seed, Context = 512 };

    /// <summary>One small shape per family Weft runs (mixtral = llama with experts).</summary>
    public static readonly Dictionary<string, SyntheticModelSpec> Families = new()
    {
        ["llama"] = S("eval-llama-gqa", 64, 4, 2, 2, 128, 301),
        ["mixtral"] = S("eval-moe", 64, 2, 1, 1, 96, 302) with { Experts = 4, ExpertsUsed = 2 },
        ["falcon"] = S("eval-falcon", 64, 2, 1, 2, 128, 303).As("falcon"),
        ["qwen2"] = S("eval-qwen2", 64, 4, 2, 2, 128, 304).As("qwen2"),
        ["olmo"] = S("eval-olmo", 64, 2, 2, 2, 128, 305).As("olmo"),
        ["olmo2"] = S("eval-olmo2", 64, 2, 1, 1, 128, 306).As("olmo2"),
        ["gemma2"] = S("eval-gemma2", 64, 2, 1, 2, 128, 307).As("gemma2") with { SlidingWindow = 16 },
        ["phi-3"] = S("eval-p3", 64, 2, 2, 2, 128, 308).As("phi3"),
    };

    public static string Model(string family) => TinyModels.Write(Families[family]);

    /// <summary>The llama model with llama.cpp's real 32000-token SentencePiece vocabulary.</summary>
    public static string LlamaVocabModel() => TinyModels.Write(S("eval-llama-spm", 64, 4, 2, 2, 128, 311).WithLlamaVocabulary());

    public static string EvalData(string file) => Path.Combine(TestKit.Oracle.SharedFolder, "eval-data", file);

    /// <summary>PIQA's first goals and solutions as plain English text (a few KB).</summary>
    public static string EnglishText(int lines = 40)
    {
        using var gz = new GZipStream(File.OpenRead(EvalData("piqa_valid.jsonl.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < lines && reader.ReadLine() is { } line; i++)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            sb.Append(doc.RootElement.GetProperty("goal").GetString()).Append(' ')
              .Append(doc.RootElement.GetProperty("sol1").GetString()).Append('\n');
        }
        return sb.ToString();
    }

    public static string WriteText(string text)
    {
        string path = Path.Combine(TinyModels.Folder, $"eval-text-{(uint)text.GetHashCode():x8}.txt");
        if (!File.Exists(path)) { File.WriteAllText(path + ".tmp", text); File.Move(path + ".tmp", path, true); }
        return path;
    }
}
