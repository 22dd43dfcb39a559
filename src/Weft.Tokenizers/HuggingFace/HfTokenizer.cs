// What a checkpoint folder's tokenizer files describe: the vocabulary, plus what prompt rendering needs.
namespace Weft.Tokenizers.HuggingFace;

public sealed record HfTokenizer
{
    /// <summary>The vocabulary as llama.cpp's converter would write it into GGUF.</summary>
    public required VocabularySpec Spec { get; init; }
    /// <summary>The file the vocabulary came from (tokenizer.json or tokenizer.model).</summary>
    public required string SourceFile { get; init; }
    /// <summary>The default chat template (Jinja), or null when the checkpoint has none.</summary>
    public string? ChatTemplate { get; init; }
    /// <summary>Named templates when tokenizer_config.json lists several (e.g. "default", "tool_use"); else empty.</summary>
    public IReadOnlyDictionary<string, string> ChatTemplates { get; init; } = new Dictionary<string, string>();
    /// <summary>Texts of the BOS and EOS tokens (for templates that print bos_token/eos_token); null when absent.</summary>
    public string? BosText { get; init; }
    public string? EosText { get; init; }

    /// <summary>Builds the tokenizer; a vocabulary it refuses (a token text twice, an id out of range) is a
    /// <see cref="TokenizerFileException"/> naming the file, as a GGUF file's is a ModelFormatException.</summary>
    public Tokenizer CreateTokenizer()
    {
        try
        {
            return Tokenizer.Create(Spec);
        }
        catch (ArgumentException e)
        {
            throw new TokenizerFileException($"{SourceFile}: {e.Message}", e);
        }
    }
}
