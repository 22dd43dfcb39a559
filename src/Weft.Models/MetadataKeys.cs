// GGUF metadata keys (general.* and the per-architecture LLM keys); code asks this table, never writes the strings.
namespace Weft.Models;

public static class MetadataKeys
{
    public const string Architecture = "general.architecture";
    public const string Name = "general.name";
    public const string FileType = "general.file_type";
    public const string QuantizationVersion = "general.quantization_version";
    /// <summary>"model" (or absent) for a model, "adapter" for an adapter file.</summary>
    public const string GeneralType = "general.type";
    public const string AdapterType = "adapter.type";
    public const string AdapterLoraAlpha = "adapter.lora.alpha";

    public static string ContextLength(string arch) => $"{arch}.context_length";
    public static string EmbeddingLength(string arch) => $"{arch}.embedding_length";
    public static string BlockCount(string arch) => $"{arch}.block_count";
    public static string FeedForwardLength(string arch) => $"{arch}.feed_forward_length";
    public static string HeadCount(string arch) => $"{arch}.attention.head_count";
    public static string HeadCountKv(string arch) => $"{arch}.attention.head_count_kv";
    public static string KeyLength(string arch) => $"{arch}.attention.key_length";
    public static string ValueLength(string arch) => $"{arch}.attention.value_length";
    public static string RmsEpsilon(string arch) => $"{arch}.attention.layer_norm_rms_epsilon";
    public static string LayerNormEpsilon(string arch) => $"{arch}.attention.layer_norm_epsilon";
    public static string SlidingWindow(string arch) => $"{arch}.attention.sliding_window";
    public static string SlidingWindowPattern(string arch) => $"{arch}.attention.sliding_window_pattern";
    public static string AttentionScale(string arch) => $"{arch}.attention.scale";
    public static string ClampKqv(string arch) => $"{arch}.attention.clamp_kqv";
    public static string AttnLogitSoftcapping(string arch) => $"{arch}.attn_logit_softcapping";
    public static string FinalLogitSoftcapping(string arch) => $"{arch}.final_logit_softcapping";
    public static string RopeFreqBaseSwa(string arch) => $"{arch}.rope.freq_base_swa";
    public static string VocabSize(string arch) => $"{arch}.vocab_size";
    public static string ExpertCount(string arch) => $"{arch}.expert_count";
    public static string ExpertUsedCount(string arch) => $"{arch}.expert_used_count";
    public static string RopeDimensionCount(string arch) => $"{arch}.rope.dimension_count";
    public static string RopeFreqBase(string arch) => $"{arch}.rope.freq_base";
    public static string RopeScalingType(string arch) => $"{arch}.rope.scaling.type";
    public static string RopeScalingFactor(string arch) => $"{arch}.rope.scaling.factor";
    public static string RopeScaleLinear(string arch) => $"{arch}.rope.scale_linear";
    public static string RopeScalingOriginalContext(string arch) => $"{arch}.rope.scaling.original_context_length";
    public static string RopeScalingAttnFactor(string arch) => $"{arch}.rope.scaling.attn_factor";
    public static string RopeScalingYarnLogMul(string arch) => $"{arch}.rope.scaling.yarn_log_multiplier";

    public const string TokenizerModel = "tokenizer.ggml.model";
    public const string TokenizerTokens = "tokenizer.ggml.tokens";
    public const string ChatTemplate = "tokenizer.chat_template";
}
