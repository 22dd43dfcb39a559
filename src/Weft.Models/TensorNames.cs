// GGUF tensor names, as llama.cpp's GGUF layout spells them; code asks this table, never writes the strings.
namespace Weft.Models;

public static class TensorNames
{
    public const string TokenEmbedding = "token_embd.weight";
    public const string OutputNorm = "output_norm.weight";
    public const string OutputNormBias = "output_norm.bias";
    public const string Output = "output.weight";
    public const string OutputBias = "output.bias";
    public const string RopeFrequencies = "rope_freqs.weight";
    public const string RopeFactorsLong = "rope_factors_long.weight";
    public const string RopeFactorsShort = "rope_factors_short.weight";

    public static string AttnNorm(int layer) => $"blk.{layer}.attn_norm.weight";
    public static string AttnNormBias(int layer) => $"blk.{layer}.attn_norm.bias";
    public static string AttnNorm2(int layer) => $"blk.{layer}.attn_norm_2.weight";
    public static string AttnNorm2Bias(int layer) => $"blk.{layer}.attn_norm_2.bias";
    public static string AttnQNorm(int layer) => $"blk.{layer}.attn_q_norm.weight";
    public static string AttnKNorm(int layer) => $"blk.{layer}.attn_k_norm.weight";
    public static string AttnPostNorm(int layer) => $"blk.{layer}.post_attention_norm.weight";
    public static string FfnPostNorm(int layer) => $"blk.{layer}.post_ffw_norm.weight";
    public static string AttnQkvBias(int layer) => $"blk.{layer}.attn_qkv.bias";
    public static string AttnQ(int layer) => $"blk.{layer}.attn_q.weight";
    public static string AttnK(int layer) => $"blk.{layer}.attn_k.weight";
    public static string AttnV(int layer) => $"blk.{layer}.attn_v.weight";
    public static string AttnQkv(int layer) => $"blk.{layer}.attn_qkv.weight";
    public static string AttnOutput(int layer) => $"blk.{layer}.attn_output.weight";
    public static string AttnQBias(int layer) => $"blk.{layer}.attn_q.bias";
    public static string AttnKBias(int layer) => $"blk.{layer}.attn_k.bias";
    public static string AttnVBias(int layer) => $"blk.{layer}.attn_v.bias";
    public static string AttnOutputBias(int layer) => $"blk.{layer}.attn_output.bias";
    public static string FfnNorm(int layer) => $"blk.{layer}.ffn_norm.weight";
    public static string FfnGate(int layer) => $"blk.{layer}.ffn_gate.weight";
    public static string FfnUp(int layer) => $"blk.{layer}.ffn_up.weight";
    public static string FfnDown(int layer) => $"blk.{layer}.ffn_down.weight";
    public static string FfnGateInput(int layer) => $"blk.{layer}.ffn_gate_inp.weight";
    public static string FfnGateExperts(int layer) => $"blk.{layer}.ffn_gate_exps.weight";
    public static string FfnUpExperts(int layer) => $"blk.{layer}.ffn_up_exps.weight";
    public static string FfnDownExperts(int layer) => $"blk.{layer}.ffn_down_exps.weight";

    /// <summary>LoRA factors of the weight <paramref name="weight"/> in an adapter file: A ne [in, rank], B ne [rank, out].</summary>
    public static string LoraA(string weight) => weight + LoraASuffix;
    public static string LoraB(string weight) => weight + LoraBSuffix;
    public const string LoraASuffix = ".lora_a";
    public const string LoraBSuffix = ".lora_b";
}
