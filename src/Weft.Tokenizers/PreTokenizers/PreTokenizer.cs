// Pre-tokenizers: which splitting steps each tokenizer.ggml.pre name runs, and the pipeline that runs them.
// Each step cuts every piece left by the previous step further; the final pieces are the words BPE merges
// inside. The names and patterns follow llama.cpp's table (llama-vocab.cpp) for the families supported here.
using System.Text;
using Weft.Tokenizers.Unicode;

namespace Weft.Tokenizers.PreTokenizers;

public enum PreTokenizerKind
{
    /// <summary>No or unknown pre name: punctuation runs, the GPT-2 pattern, number runs, digit triples.</summary>
    Default,
    /// <summary>GPT-2's pattern alone (gpt-2, mpt, olmo, jais, ...).</summary>
    Gpt2,
    Llama3,
    Qwen2,
    Qwen35,
    DeepseekLlm,
    DeepseekCoder,
    Falcon,
    /// <summary>Single digits, then GPT-2's pattern (starcoder, refact, command-r, ...).</summary>
    Starcoder,
    /// <summary>Newline runs only, over raw UTF-8 with spaces as U+2581 (Gemma 4).</summary>
    Gemma4,
}

/// <summary>What a pre name implies besides its splitting steps (llama.cpp sets these per name).</summary>
public sealed record PreTokenizerInfo(PreTokenizerKind Kind, bool CleanSpaces = true, bool IgnoreMerges = false,
    bool AddBos = false, bool AddSep = false, bool EscapeWhitespaces = false, bool NoBos = false);

/// <summary>The words of one text for one pre name.</summary>
internal sealed class SplitInput(int[] codepoints)
{
    private int[]? _collapsed, _folded;
    public int[] Codepoints { get; } = codepoints;
    /// <summary>Classes collapsed to one byte each (for patterns with \p{..}).</summary>
    public int[] Collapsed => _collapsed ??= PatternSplitter.CollapseText(Codepoints, classes: true);
    /// <summary>Code points with non-ASCII whitespace shown as 0x0B (for patterns without \p{..}).</summary>
    public int[] WhitespaceFolded => _folded ??= PatternSplitter.CollapseText(Codepoints, classes: false);
}

internal interface ISplitter
{
    /// <summary>Appends the lengths (in code points) of the pieces of [start, end).</summary>
    void Split(SplitInput input, int start, int end, List<int> lengths);
}

public static class PreTokenizer
{
    private const string DefaultPunctuation = @"[\p{P}\$\+<=>\^~\|]+";
    private const string FalconPunctuation = @"[\p{P}\$\+<=>\^~\|`]+";
    internal const string DeepseekLetters = "[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+";
    internal const string DeepseekPunctuation = "[!-/:-~！-／：-～‘-‟\u3000-。]+";
    internal const string CjkRuns = "[一-龥ࠀ-一가-\uD7FF]+";

    private static readonly Lazy<Dictionary<PreTokenizerKind, ISplitter[]>> s_steps = new(() => new()
    {
        [PreTokenizerKind.Default] =
            [new PatternSplitter(DefaultPunctuation), Gpt2Splitter.Instance, new PatternSplitter(@"\p{N}+"), new PatternSplitter("[0-9][0-9][0-9]")],
        [PreTokenizerKind.Gpt2] = [Gpt2Splitter.Instance],
        [PreTokenizerKind.Llama3] = [Llama3Splitter.Llama3],
        [PreTokenizerKind.Qwen2] = [Llama3Splitter.Qwen2],
        [PreTokenizerKind.Qwen35] = [Llama3Splitter.Qwen35],
        [PreTokenizerKind.DeepseekLlm] =
        [
            new PatternSplitter("[\r\n]"), new PatternSplitter(@"\s?" + DeepseekLetters),
            new PatternSplitter(@"\s?" + DeepseekPunctuation), new PatternSplitter(@"\s+$"),
            new PatternSplitter(CjkRuns), new PatternSplitter(@"\p{N}+"),
        ],
        [PreTokenizerKind.DeepseekCoder] =
        [
            new PatternSplitter("[\r\n]"), new PatternSplitter(@"\s?\p{L}+"), new PatternSplitter(@"\s?\p{P}+"),
            new PatternSplitter(CjkRuns), new PatternSplitter(@"\p{N}"),
        ],
        [PreTokenizerKind.Falcon] = [new PatternSplitter(FalconPunctuation), Gpt2Splitter.Instance, new PatternSplitter("[0-9][0-9][0-9]")],
        [PreTokenizerKind.Starcoder] = [new PatternSplitter(@"\p{N}"), Gpt2Splitter.Instance],
        [PreTokenizerKind.Gemma4] = [NewlineSplitter.Instance],
    });

    /// <summary>The pre-tokenizer a tokenizer.ggml.pre name selects, with the flags llama.cpp sets for it.</summary>
    public static PreTokenizerInfo Resolve(string name) => name switch
    {
        "default" => new(PreTokenizerKind.Default),
        "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "falcon-h1" or "pixtral" or "midm-2.0" or "lfm2" or "jina-v5-nano" =>
            new(PreTokenizerKind.Llama3, IgnoreMerges: true, AddBos: true),
        "dbrx" or "smaug-bpe" => new(PreTokenizerKind.Llama3),
        "glm4" or "chatglm-bpe" => new(PreTokenizerKind.Llama3, NoBos: true),
        "deepseek-llm" => new(PreTokenizerKind.DeepseekLlm, CleanSpaces: false),
        "deepseek-coder" => new(PreTokenizerKind.DeepseekCoder, CleanSpaces: false),
        "falcon" => new(PreTokenizerKind.Falcon),
        "mpt" or "olmo" or "jais" or "exaone4" or "gpt-2" or "phi-2" or "jina-es" or "jina-de" or "gigachat" or "jina-v2-es"
            or "jina-v2-de" or "a.x-4.0" or "mellum" or "modern-bert" => new(PreTokenizerKind.Gpt2),
        "jina-v1-en" or "jina-v2-code" or "roberta-bpe" => new(PreTokenizerKind.Gpt2, AddSep: true),
        "trillion" or "granite-docling" => new(PreTokenizerKind.Gpt2, CleanSpaces: false),
        "starcoder" or "refact" or "codeshell" or "exaone" or "minerva-7b" or "mellum2" => new(PreTokenizerKind.Starcoder),
        "command-r" or "smollm" => new(PreTokenizerKind.Starcoder, CleanSpaces: false),
        "qwen2" or "deepseek-r1-qwen" or "kormo" or "f2llmv2" or "hunyuan" or "solar-open" => new(PreTokenizerKind.Qwen2, CleanSpaces: false),
        "stablelm2" or "megrez" => new(PreTokenizerKind.Qwen2),
        "qwen35" => new(PreTokenizerKind.Qwen35, CleanSpaces: false),
        "gemma4" or "granite-embed-multi-311m" => new(PreTokenizerKind.Gemma4, EscapeWhitespaces: true),
        _ => throw new NotSupportedException($"pre-tokenizer '{name}' (tokenizer.ggml.pre) is not supported"),
    };

    /// <summary>Whether the words are mapped byte-by-byte to GPT-2's printable characters.</summary>
    public static bool ByteEncodes(PreTokenizerKind kind) => kind != PreTokenizerKind.Gemma4;

    /// <summary>Splits a text into words, byte-encoded when the kind asks for it.</summary>
    public static List<string> Split(string text, PreTokenizerKind kind)
    {
        var input = new SplitInput(UnicodeInfo.Codepoints(text));
        var lengths = new List<int> { input.Codepoints.Length };
        foreach (var step in s_steps.Value[kind])
        {
            var next = new List<int>(lengths.Count * 2);
            int start = 0;
            foreach (int len in lengths)
            {
                step.Split(input, start, start + len, next);
                start += len;
            }
            lengths = next;
        }

        bool byteEncode = ByteEncodes(kind);
        var words = new List<string>(lengths.Count);
        var sb = new StringBuilder();
        int at = 0;
        foreach (int len in lengths)
        {
            sb.Clear();
            for (int i = at; i < at + len; i++) UnicodeInfo.Append(sb, input.Codepoints[i]);
            at += len;
            words.Add(byteEncode ? ByteLevel.Encode(sb.ToString()) : sb.ToString());
        }
        return words;
    }
}
