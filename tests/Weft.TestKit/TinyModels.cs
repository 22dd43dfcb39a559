// Tiny random-weight models for the tests: written once per spec into a cache folder.
using Weft.Models.Synthetic;

namespace Weft.TestKit;

public static class TinyModels
{
    public static string Folder
    {
        get
        {
            string dir = Path.Combine(Path.GetTempPath(), "weft-tiny-models");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>The 32000-token Llama SentencePiece vocabulary of llama.cpp's test files.</summary>
    public static string LlamaVocabulary
    {
        get
        {
            Oracle.Require();
            return Path.Combine(Oracle.LlamaSource, "models", "ggml-vocab-llama-spm.gguf");
        }
    }

    /// <summary>A spec with the real Llama vocabulary.</summary>
    public static SyntheticModelSpec WithLlamaVocabulary(this SyntheticModelSpec s) =>
        s with { VocabularyFrom = LlamaVocabulary, VocabularyFromSize = 32000 };

    /// <summary>Writes the model (F32) unless it is already cached; returns its path.</summary>
    public static string Write(SyntheticModelSpec s)
    {
        string key = ((uint)SyntheticModel.StableHash(s.ToString())).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        string path = Path.Combine(Folder, $"{s.Name}-{key}-f32.gguf");
        if (!File.Exists(path)) SyntheticModel.Write(s, path);
        return path;
    }

    public static int[] RandomPrompt(int vocab, int length, int seed) => SyntheticModel.RandomPrompt(vocab, length, seed);
}
