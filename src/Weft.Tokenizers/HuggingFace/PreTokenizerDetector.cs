// Names the llama.cpp pre-tokenizer (tokenizer.ggml.pre) that a tokenizer.json's pre_tokenizer implements.
// llama.cpp's converter tells them apart by hashing the ids of a probe text; here the steps themselves are
// compared with the shapes the known checkpoints ship (their Split regexes, ByteLevel/Digits settings).
using System.Text;
using System.Text.Json;
using Weft.Tokenizers.PreTokenizers;

namespace Weft.Tokenizers.HuggingFace;

internal static class PreTokenizerDetector
{
    private const string Llama3 =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Qwen2 =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Qwen35 =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private const string ByteLevelRegex = "bytelevel+regex", ByteLevelOnly = "bytelevel";
    private static string Split(string pattern) => "split:" + pattern;

    /// <summary>A known shape: its steps, the name to write, and the name when clean_up_tokenization_spaces says
    /// otherwise (or when the BPE model does not ignore merges, for the Llama 3 pattern).</summary>
    private sealed record Shape(string[] Steps, string Name, string? NameNoCleanup = null, string? NameWithMerges = null);

    private static readonly Shape[] Shapes =
    [
        new([ByteLevelRegex], "gpt-2"),
        new([Split(Llama3), ByteLevelOnly], "llama-bpe", NameWithMerges: "smaug-bpe"),
        new([Split(Qwen2), ByteLevelOnly], "stablelm2", NameNoCleanup: "qwen2"),
        new([Split(Qwen35), ByteLevelOnly], "qwen35"),
        new(["digits:individual", ByteLevelRegex], "starcoder", NameNoCleanup: "command-r"),
        new(["punctuation:Contiguous", ByteLevelRegex, "digits", Split("[0-9][0-9][0-9]")], "falcon"),
        new([Split("[\r\n]"), Split(@"\s?" + PreTokenizer.DeepseekLetters), Split(@"\s?" + PreTokenizer.DeepseekPunctuation),
             Split(@"\s+$"), Split(PreTokenizer.CjkRuns), "digits", ByteLevelOnly], "deepseek-llm"),
        new([Split("[\r\n]"), Split(@"\s?\p{L}+"), Split(@"\s?\p{P}+"), Split(PreTokenizer.CjkRuns), "digits:individual", ByteLevelOnly],
            "deepseek-coder"),
    ];

    /// <summary>The pre name for a byte-level BPE tokenizer.json. <paramref name="cleanup"/> is tokenizer_config's
    /// clean_up_tokenization_spaces (absent means true, transformers' long-standing default); <paramref name="ignoreMerges"/>
    /// is the model's ignore_merges.</summary>
    public static string Detect(JsonFile file, JsonElement? preTokenizer, bool? cleanup, bool ignoreMerges)
    {
        var steps = new List<string>();
        if (preTokenizer is JsonElement pre) Flatten(file, pre, "pre_tokenizer", steps);
        foreach (var shape in Shapes)
        {
            if (!shape.Steps.SequenceEqual(steps, StringComparer.Ordinal)) continue;
            if (shape.NameWithMerges != null && !ignoreMerges) return shape.NameWithMerges;
            if (shape.NameNoCleanup != null && cleanup == false) return shape.NameNoCleanup;
            return shape.Name;
        }
        string seen = steps.Count == 0 ? "none" : string.Join(", then ", steps.Select(Describe));
        throw new NotSupportedException(
            $"{file.Path}: field 'pre_tokenizer' is not a pre-tokenizer this engine recognises ({seen}); " +
            "known: the GPT-2, Llama 3, Qwen 2, Qwen 3.5, StarCoder/Command-R, Falcon and DeepSeek shapes");
    }

    private static string Describe(string step) => step.StartsWith("split:", StringComparison.Ordinal)
        ? $"Split /{Shorten(step[6..])}/" : step;

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";

    private static void Flatten(JsonFile file, JsonElement step, string field, List<string> steps)
    {
        string type = file.String(step, "type", field + ".type") ?? throw file.Error(field + ".type", "is missing");
        switch (type)
        {
            case "Sequence":
                {
                    var list = file.Array(JsonFile.Member(step, "pretokenizers") ?? throw file.Error(field + ".pretokenizers", "is missing"),
                        field + ".pretokenizers");
                    int i = 0;
                    foreach (var s in list.EnumerateArray()) Flatten(file, s, $"{field}.pretokenizers[{i++}]", steps);
                    break;
                }
            case "ByteLevel":
                if (file.Bool(step, "add_prefix_space", field + ".add_prefix_space") == true)
                    throw new NotSupportedException($"{file.Path}: field '{field}.add_prefix_space' is true; a byte-level " +
                        "pre-tokenizer that prepends a space is not supported");
                steps.Add(file.Bool(step, "use_regex", field + ".use_regex") ?? true ? ByteLevelRegex : ByteLevelOnly);
                break;
            case "Digits":
                steps.Add(file.Bool(step, "individual_digits", field + ".individual_digits") == true ? "digits:individual" : "digits");
                break;
            case "Punctuation":
                steps.Add("punctuation:" + (file.String(step, "behavior", field + ".behavior") ?? "Isolated"));
                break;
            case "Split":
                {
                    var pattern = file.Object(step, "pattern", field + ".pattern");
                    string text = file.String(pattern, "Regex", field + ".pattern.Regex")
                        ?? file.String(pattern, "String", field + ".pattern.String")
                        ?? throw file.Error(field + ".pattern", "holds neither Regex nor String");
                    string behavior = file.String(step, "behavior", field + ".behavior") ?? "Isolated";
                    bool invert = file.Bool(step, "invert", field + ".invert") ?? false;
                    var sb = new StringBuilder("split:").Append(text);
                    if (behavior != "Isolated" || invert) sb.Append(" (").Append(behavior).Append(invert ? ", inverted)" : ")");
                    steps.Add(sb.ToString());
                    break;
                }
            default:
                steps.Add(type);
                break;
        }
    }
}
