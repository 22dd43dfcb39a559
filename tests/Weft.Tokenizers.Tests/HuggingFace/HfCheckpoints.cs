// Generated checkpoints (one folder per vocabulary family and layout, written once per test run) and the Hugging
// Face library's answers for each family's test vectors.
using System.Collections.Concurrent;

namespace Weft.Tokenizers.Tests.HuggingFace;

internal static class HfCheckpoints
{
    /// <summary>Vocabulary files with test vectors whose Hugging Face form is written by <see cref="CheckpointWriter"/>.</summary>
    public static readonly string[] Families =
    [
        "llama-spm", "phi-3", "bert-bge", "gpt-2", "llama-bpe", "falcon", "qwen2", "qwen35", "deepseek-llm", "deepseek-coder",
        "starcoder", "mpt", "command-r", "refact",
    ];

    public static readonly string[] SentencePieceFamilies = ["llama-spm", "phi-3"];

    private static readonly string Root = CreateRoot();

    /// <summary>A folder for this test run, removed when the test process exits.</summary>
    private static string CreateRoot()
    {
        string root = Path.Combine(Path.GetTempPath(), "weft-hf-checkpoints-" + Guid.NewGuid().ToString("N")[..8]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { if (Directory.Exists(root)) Directory.Delete(root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        };
        return root;
    }
    private static readonly ConcurrentDictionary<string, Lazy<WrittenCheckpoint>> s_written = new();
    private static readonly ConcurrentDictionary<string, Lazy<(int[][] Ids, string[] Decoded)>> s_vectorAnswers = new();

    /// <summary>The family's checkpoint with tokenizer.json (and tokenizer.model for SentencePiece families).</summary>
    public static WrittenCheckpoint Full(string vocab) => Get(vocab, "full", json: true, model: true);

    /// <summary>The family's checkpoint with tokenizer.json only.</summary>
    public static WrittenCheckpoint JsonOnly(string vocab) => Get(vocab, "json", json: true, model: false);

    /// <summary>A SentencePiece family's checkpoint with tokenizer.model and no tokenizer.json.</summary>
    public static WrittenCheckpoint ModelOnly(string vocab) => Get(vocab, "model", json: false, model: true);

    private static WrittenCheckpoint Get(string vocab, string layout, bool json, bool model) =>
        s_written.GetOrAdd(vocab + "/" + layout, key => new Lazy<WrittenCheckpoint>(() =>
            CheckpointWriter.Write(vocab, Path.Combine(Root, key), json, model))).Value;

    /// <summary>The library's ids and decoded texts for the family's .inp cases (under its full checkpoint).</summary>
    public static (int[][] Ids, string[] Decoded) VectorAnswers(string vocab) =>
        s_vectorAnswers.GetOrAdd(vocab, v => new Lazy<(int[][], string[])>(() =>
        {
            var ckpt = Full(v);
            var texts = Reference.Vectors(v).Select(c => c.Text).ToList();
            return HfLibrary.Tokenize(Path.Combine(ckpt.Folder, "tokenizer.json"), texts, ckpt.Cleanup);
        })).Value;
}
