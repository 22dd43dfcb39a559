// The tokenizer.json pipelines (normalizer, pre_tokenizer, post_processor, decoder) that the original Hugging Face
// checkpoints of each vocabulary family ship, written out independently of the adapter's own tables.
using System.Text.Json.Nodes;

namespace Weft.Tokenizers.Tests.HuggingFace;

internal sealed record FamilyPipeline(
    JsonNode? Normalizer, JsonNode? PreTokenizer, bool IgnoreMerges, bool Cleanup, bool Nfc, string? ModelName = null);

internal static class FamilyPipelines
{
    // The Split regexes as the checkpoints' tokenizer.json files hold them.
    private const string Llama3Regex =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Qwen2Regex =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Qwen35Regex =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    // written with escapes: several of these code points have canonical singleton decompositions (U+1FDB, U+2126,
    // U+212A, ...) that text tools normalise away, which would corrupt the ranges
    private const string DeepseekLetters =
        "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\U00010400-\U0001044F\U000104B0-\U000104D3\U000104D8-\U000104FB\U00010C80-\U00010CB2\U00010CC0-\U00010CF2\U000118A0-\U000118DF\U0001E900-\U0001E943]+";
    private const string DeepseekPunctuation = "\\s?[!-/:-~！-／：-～‘-‟　-。]+";
    private const string CjkRuns = "[一-龥ࠀ-一가-\uD7FF]+";

    private static JsonObject Split(string regex) => new()
    {
        ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = regex }, ["behavior"] = "Isolated", ["invert"] = false,
    };

    private static JsonObject ByteLevel(bool useRegex, bool trimOffsets = true) => new()
    {
        ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = trimOffsets, ["use_regex"] = useRegex,
    };

    private static JsonObject Digits(bool individual) => new() { ["type"] = "Digits", ["individual_digits"] = individual };

    private static JsonObject Sequence(params JsonNode[] steps) => new() { ["type"] = "Sequence", ["pretokenizers"] = new JsonArray(steps) };

    private static JsonObject Nfc() => new() { ["type"] = "NFC" };

    /// <summary>The pipeline of a byte-level BPE family, by its vocabulary file name.</summary>
    public static FamilyPipeline ByteLevelFamily(string vocab) => vocab switch
    {
        "gpt-2" => new(null, ByteLevel(true), false, true, false),
        "mpt" or "gpt-neox" or "olmo" => new(Nfc(), ByteLevel(true), false, true, true),
        "llama-bpe" => new(null, Sequence(Split(Llama3Regex), ByteLevel(false)), true, true, false),
        "qwen2" => new(Nfc(), Sequence(Split(Qwen2Regex), ByteLevel(false, trimOffsets: false)), false, false, true),
        "qwen35" => new(null, Sequence(Split(Qwen35Regex), ByteLevel(false, trimOffsets: false)), false, false, false),
        "starcoder" or "refact" => new(null, Sequence(Digits(true), ByteLevel(true)), false, true, false),
        "command-r" => new(Nfc(), Sequence(Digits(true), ByteLevel(true)), false, false, true),
        "falcon" => new(null, Sequence(new JsonObject { ["type"] = "Punctuation", ["behavior"] = "Contiguous" }, ByteLevel(true),
            Digits(false), Split("[0-9][0-9][0-9]")), false, true, false),
        "deepseek-llm" => new(new JsonObject { ["type"] = "Sequence", ["normalizers"] = new JsonArray() },
            Sequence(Split("[\r\n]"), Split(DeepseekLetters), Split(DeepseekPunctuation), Split(@"\s+$"), Split(CjkRuns),
                Digits(false), ByteLevel(false)), false, false, false),
        "deepseek-coder" => new(new JsonObject { ["type"] = "Sequence", ["normalizers"] = new JsonArray() },
            Sequence(Split("[\r\n]"), Split(@"\s?\p{L}+"), Split(@"\s?\p{P}+"), Split(CjkRuns), Digits(true), ByteLevel(false)),
            false, false, false),
        _ => throw new ArgumentException($"no Hugging Face pipeline is written down for '{vocab}'"),
    };

    /// <summary>LlamaTokenizerFast's pipeline (Llama 1/2, Phi-3): U+2581 prefix and spaces, byte fallback.</summary>
    public static JsonObject SentencePieceNormalizer() => new()
    {
        ["type"] = "Sequence",
        ["normalizers"] = new JsonArray(
            new JsonObject { ["type"] = "Prepend", ["prepend"] = "\u2581" },
            new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "\u2581" }),
    };

    public static JsonObject SentencePieceDecoder() => new()
    {
        ["type"] = "Sequence",
        ["decoders"] = new JsonArray(
            new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = "\u2581" }, ["content"] = " " },
            new JsonObject { ["type"] = "ByteFallback" },
            new JsonObject { ["type"] = "Fuse" },
            new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
    };

    public static JsonObject ByteLevelDecoder() => new()
    {
        ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true,
    };

    public static JsonObject BertNormalizer() => new()
    {
        ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = true, ["strip_accents"] = null, ["lowercase"] = true,
    };
}
