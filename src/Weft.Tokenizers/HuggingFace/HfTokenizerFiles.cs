// Entry point: a Hugging Face checkpoint folder's tokenizer files → the VocabularySpec the GGUF path uses.
// tokenizer.json is preferred; tokenizer.model (SentencePiece) is read when there is no tokenizer.json.
namespace Weft.Tokenizers.HuggingFace;

public static class HfTokenizerFiles
{
    public const string TokenizerJsonName = "tokenizer.json";
    public const string SentencePieceName = "tokenizer.model";

    /// <summary>The most tokens a vocabulary may claim through its largest id or config.json's vocab_size: eight times
    /// the largest vocabularies in use (262 144), so that a lying file cannot make the reader allocate without bound.</summary>
    public const int MaxVocabulary = 1 << 21;

    internal static int CheckedSize(long n, string path) => n <= MaxVocabulary ? (int)n
        : throw new TokenizerFileException($"{path}: the vocabulary would hold {n} tokens (its largest id + 1, or config.json's vocab_size), more than the {MaxVocabulary} allowed");

    /// <summary>
    /// Reads the tokenizer of the checkpoint in <paramref name="folder"/>. <paramref name="modelName"/> becomes
    /// general.name, which selects llama.cpp's per-model token rules (e.g. Phi-3's). Missing or malformed files throw
    /// <see cref="TokenizerFileException"/>; a tokenizer kind this engine lacks throws <see cref="NotSupportedException"/>;
    /// both name the file and field.
    /// </summary>
    public static HfTokenizer Read(string folder, string? modelName = null)
    {
        if (!Directory.Exists(folder)) throw new TokenizerFileException($"{folder}: checkpoint folder does not exist");
        string json = Path.Combine(folder, TokenizerJsonName);
        string model = Path.Combine(folder, SentencePieceName);
        var config = CheckpointConfig.Read(folder);

        HfTokenizer result;
        if (File.Exists(json))
        {
            using var file = JsonFile.TryOpen(json)!;
            result = TokenizerJsonVocabulary.Build(file, config, File.Exists(model) ? model : null);
        }
        else if (File.Exists(model))
        {
            result = SentencePieceVocabulary.Build(model, config);
        }
        else
        {
            throw new TokenizerFileException($"{folder}: neither {TokenizerJsonName} nor {SentencePieceName} is there; " +
                "a Hugging Face checkpoint needs one of them to describe its tokenizer");
        }
        return result with { Spec = result.Spec with { ModelName = modelName } };
    }

    /// <summary>Reads the folder and builds its tokenizer.</summary>
    public static Tokenizer Load(string folder, string? modelName = null) => Read(folder, modelName).CreateTokenizer();
}
