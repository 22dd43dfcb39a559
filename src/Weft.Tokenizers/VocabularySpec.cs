// A tokenizer described by plain data, as a GGUF file's tokenizer.ggml.* keys describe it.
namespace Weft.Tokenizers;

/// <summary>Token types as GGUF stores them (tokenizer.ggml.token_type).</summary>
public enum TokenType
{
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>Per-token attributes; the bit values are llama.cpp's <c>llama_token_attr</c>.</summary>
[Flags]
public enum TokenAttributes
{
    Undefined = 0,
    Unknown = 1 << 0,
    Unused = 1 << 1,
    Normal = 1 << 2,
    Control = 1 << 3,
    UserDefined = 1 << 4,
    Byte = 1 << 5,
    Normalized = 1 << 6,
    LStrip = 1 << 7,
    RStrip = 1 << 8,
    SingleWord = 1 << 9,
}

/// <summary>
/// Everything needed to build a <see cref="Tokenizer"/>. Optional values left null take the defaults that
/// llama.cpp applies for the model kind and pre-tokenizer.
/// </summary>
public sealed record VocabularySpec
{
    /// <summary>tokenizer.ggml.model: "llama" (SentencePiece), "gpt2" (byte-level BPE), "bert" (WordPiece),
    /// or "gemma4" (BPE over SentencePiece-style text).</summary>
    public required string Model { get; init; }

    /// <summary>tokenizer.ggml.pre: names the pre-tokenizer of BPE vocabularies; null means "default".</summary>
    public string? Pre { get; init; }

    public required string[] Tokens { get; init; }
    public float[]? Scores { get; init; }
    public int[]? TokenTypes { get; init; }
    /// <summary>BPE merges, highest priority first, each "left right".</summary>
    public string[]? Merges { get; init; }

    // Special token ids. A value outside [0, Tokens.Length) is ignored, as llama.cpp ignores it.
    public int? BosId { get; init; }
    public int? EosId { get; init; }
    public int? EotId { get; init; }
    public int? EomId { get; init; }
    public int? UnkId { get; init; }
    public int? SepId { get; init; }
    public int? PadId { get; init; }
    public int? MaskId { get; init; }
    public int? FimPreId { get; init; }
    public int? FimSufId { get; init; }
    public int? FimMidId { get; init; }
    public int? FimPadId { get; init; }
    public int? FimRepId { get; init; }
    public int? FimSepId { get; init; }

    public bool? AddBos { get; init; }
    public bool? AddEos { get; init; }
    public bool? AddSep { get; init; }
    public bool? AddSpacePrefix { get; init; }
    public bool? RemoveExtraWhitespaces { get; init; }
    public bool? NormalizerLowercase { get; init; }
    public bool? NormalizerStripAccents { get; init; }

    /// <summary>general.name; some vocabularies get per-token strip rules by model name (e.g. Phi-3).</summary>
    public string? ModelName { get; init; }
    /// <summary>general.architecture; same purpose as <see cref="ModelName"/>.</summary>
    public string? Architecture { get; init; }
}
