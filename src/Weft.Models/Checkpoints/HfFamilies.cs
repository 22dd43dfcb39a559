// The one place that maps a Hugging Face model_type to its GGUF conversion (names as llama.cpp's converter writes them).
using Weft.Formats;

namespace Weft.Models.Checkpoints;

public static class HfFamilies
{
    private static readonly Dictionary<string, Func<int, string>> LlamaLayer = new(StringComparer.Ordinal)
    {
        ["input_layernorm"] = TensorNames.AttnNorm,
        ["self_attn.q_proj"] = TensorNames.AttnQ,
        ["self_attn.k_proj"] = TensorNames.AttnK,
        ["self_attn.v_proj"] = TensorNames.AttnV,
        ["self_attn.o_proj"] = TensorNames.AttnOutput,
        ["post_attention_layernorm"] = TensorNames.FfnNorm,
        ["mlp.gate_proj"] = TensorNames.FfnGate,
        ["mlp.up_proj"] = TensorNames.FfnUp,
        ["mlp.down_proj"] = TensorNames.FfnDown,
        ["block_sparse_moe.gate"] = TensorNames.FfnGateInput,
    };

    private static readonly Dictionary<string, string> LlamaGlobals = new(StringComparer.Ordinal)
    {
        ["model.embed_tokens"] = TensorNames.TokenEmbedding,
        ["model.norm"] = TensorNames.OutputNorm,
        ["lm_head"] = TensorNames.Output,
    };

    private static Dictionary<string, Func<int, string>> With(Dictionary<string, Func<int, string>> b, params (string, Func<int, string>?)[] changes)
    {
        var d = new Dictionary<string, Func<int, string>>(b, StringComparer.Ordinal);
        foreach (var (k, v) in changes)
            if (v == null) d.Remove(k);
            else d[k] = v;
        return d;
    }

    private static void RopeDims(HfConfig c, MetadataBuilder m, string a, float partial = 1f)
    {
        int heads = c.RequireInt("num_attention_heads");
        int headDim = c.Int("head_dim") ?? c.RequireInt("hidden_size") / heads;
        m.Set(MetadataKeys.RopeDimensionCount(a), (int)(headDim * partial));
    }

    private static int Phi3RopeDims(HfConfig c)
    {
        int heads = c.RequireInt("num_attention_heads");
        return (int)((c.Int("head_dim") ?? c.RequireInt("hidden_size") / heads) * (c.Float("partial_rotary_factor") ?? 1f));
    }

    private static void HeadDim(HfConfig c, MetadataBuilder m, string a)
    {
        if (c.Int("head_dim") is int hd && hd != c.RequireInt("hidden_size") / c.RequireInt("num_attention_heads"))
        {
            m.Set(MetadataKeys.KeyLength(a), hd);
            m.Set(MetadataKeys.ValueLength(a), hd);
        }
    }

    private static readonly HfFamily Llama = new()
    {
        Architecture = "llama",
        Globals = LlamaGlobals,
        Layer = LlamaLayer,
        Experts = true,
        RopeTypes = new HashSet<string>(StringComparer.Ordinal) { "llama3" },
        ComputedTensors = c => HfRopeScaling.Type(c) == "llama3" ? [(TensorNames.RopeFrequencies, HfRopeScaling.Llama3Factors(c))] : [],
        Metadata = (c, m, a) =>
        {
            HeadDim(c, m, a);
            RopeDims(c, m, a);
            m.SetIf(MetadataKeys.ExpertCount(a), c.Int("num_local_experts"));
            m.SetIf(MetadataKeys.ExpertUsedCount(a), c.Int("num_experts_per_tok"));
        },
    };

    private static readonly Dictionary<string, HfFamily> ByModelType = new(StringComparer.Ordinal)
    {
        ["llama"] = Llama,
        ["mistral"] = Llama,
        ["mixtral"] = Llama,
        ["qwen2"] = new()
        {
            Architecture = "qwen2", Globals = LlamaGlobals, Layer = LlamaLayer, Metadata = (c, m, a) => { },
        },
        ["olmo"] = new()
        {
            Architecture = "olmo", Globals = LlamaGlobals, Layer = LlamaLayer, RmsNorm = false,
            Metadata = (c, m, a) =>
            {
                m.Set(MetadataKeys.LayerNormEpsilon(a), 1e-5f); // OLMo's LayerNorm epsilon; config.json leaves it out
                m.SetIf(MetadataKeys.ClampKqv(a), c.Float("clip_qkv"));
            },
        },
        ["olmo2"] = new()
        {
            Architecture = "olmo2", Globals = LlamaGlobals,
            Layer = With(LlamaLayer, ("input_layernorm", null),
                ("post_attention_layernorm", TensorNames.AttnPostNorm), ("post_feedforward_layernorm", TensorNames.FfnPostNorm),
                ("self_attn.q_norm", TensorNames.AttnQNorm), ("self_attn.k_norm", TensorNames.AttnKNorm)),
            Metadata = (c, m, a) => { },
        },
        ["gemma2"] = new()
        {
            Architecture = "gemma2", Globals = LlamaGlobals, NormPlusOne = true,
            Layer = With(LlamaLayer, ("post_attention_layernorm", TensorNames.AttnPostNorm),
                ("pre_feedforward_layernorm", TensorNames.FfnNorm), ("post_feedforward_layernorm", TensorNames.FfnPostNorm)),
            Metadata = (c, m, a) =>
            {
                int hd = c.RequireInt("head_dim");
                m.Set(MetadataKeys.KeyLength(a), hd);
                m.Set(MetadataKeys.ValueLength(a), hd);
                m.SetIf(MetadataKeys.AttnLogitSoftcapping(a), c.Float("attn_logit_softcapping"));
                m.SetIf(MetadataKeys.FinalLogitSoftcapping(a), c.Float("final_logit_softcapping"));
                m.SetIf(MetadataKeys.SlidingWindow(a), c.Int("sliding_window"));
            },
        },
        ["phi3"] = new()
        {
            Architecture = "phi3", Globals = LlamaGlobals,
            Layer = With(LlamaLayer, ("self_attn.qkv_proj", TensorNames.AttnQkv), ("mlp.gate_up_proj", TensorNames.FfnUp)),
            RopeTypes = new HashSet<string>(StringComparer.Ordinal) { "su", "longrope" },
            ComputedTensors = c => HfRopeScaling.LongRope(c, Phi3RopeDims(c)) is { } f
                ? [(TensorNames.RopeFactorsLong, f.Long), (TensorNames.RopeFactorsShort, f.Short)]
                : [],
            Metadata = (c, m, a) =>
            {
                RopeDims(c, m, a, c.Float("partial_rotary_factor") ?? 1f);
                m.SetIf(MetadataKeys.RopeScalingOriginalContext(a), HfRopeScaling.OriginalContext(c));
                m.SetIf(MetadataKeys.SlidingWindow(a), c.Int("sliding_window"));
                if (HfRopeScaling.LongRope(c, Phi3RopeDims(c)) is { } f) m.Set(MetadataKeys.RopeScalingAttnFactor(a), f.AttnFactor);
            },
        },
        ["falcon"] = new()
        {
            Architecture = "falcon", LayerPrefix = "transformer.h.", RmsNorm = false, GroupedQkv = true,
            Globals = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["transformer.word_embeddings"] = TensorNames.TokenEmbedding,
                ["transformer.ln_f"] = TensorNames.OutputNorm,
                ["lm_head"] = TensorNames.Output,
            },
            Layer = new Dictionary<string, Func<int, string>>(StringComparer.Ordinal)
            {
                ["input_layernorm"] = TensorNames.AttnNorm, // falcon-7b
                ["ln_mlp"] = TensorNames.AttnNorm, // falcon-40b: the MLP's norm is the block's main one
                ["ln_attn"] = TensorNames.AttnNorm2, // falcon-40b: attention's own norm
                ["self_attention.query_key_value"] = TensorNames.AttnQkv,
                ["self_attention.dense"] = TensorNames.AttnOutput,
                ["mlp.dense_h_to_4h"] = TensorNames.FfnUp,
                ["mlp.dense_4h_to_h"] = TensorNames.FfnDown,
            },
            Metadata = (c, m, a) => { },
        },
    };

    public static IEnumerable<string> ModelTypes => ByModelType.Keys.Order(StringComparer.Ordinal);

    public static HfFamily Get(HfConfig config)
    {
        string type = config.String("model_type") ?? throw new ModelFormatException($"{config.Path}: field 'model_type' is missing");
        return ByModelType.TryGetValue(type, out var f)
            ? f
            : throw new UnsupportedModelException($"{config.Path}: model_type '{type}' is not supported (supported: {string.Join(", ", ModelTypes)})");
    }

    /// <summary>The metadata every family shares, under the family's prefix, then the family's own.</summary>
    public static MetadataBuilder Metadata(HfFamily f, HfConfig c, string name)
    {
        string a = f.Architecture;
        var m = new MetadataBuilder();
        m.Set(MetadataKeys.Architecture, a);
        m.Set(MetadataKeys.Name, name);
        bool falcon = f.GroupedQkv;
        int hidden = c.Int("hidden_size", "n_embd") ?? throw new ModelFormatException($"{c.Path}: field 'hidden_size' is missing");
        int heads = c.Int("num_attention_heads", "n_head") ?? throw new ModelFormatException($"{c.Path}: field 'num_attention_heads' is missing");
        // Falcon's config.json gives no context length (llama.cpp writes 2048) and may give no feed-forward width (4·n_embd).
        m.Set(MetadataKeys.ContextLength(a), falcon ? 2048 : c.Int("max_position_embeddings") ?? 2048);
        m.Set(MetadataKeys.EmbeddingLength(a), hidden);
        m.Set(MetadataKeys.BlockCount(a), c.Int("num_hidden_layers", "n_layer") ?? throw new ModelFormatException($"{c.Path}: field 'num_hidden_layers' is missing"));
        m.Set(MetadataKeys.FeedForwardLength(a), falcon
            ? c.Int("ffn_hidden_size") ?? 4 * hidden
            : c.Int("intermediate_size") ?? throw new ModelFormatException($"{c.Path}: field 'intermediate_size' is missing"));
        m.Set(MetadataKeys.HeadCount(a), heads);
        m.Set(MetadataKeys.HeadCountKv(a), falcon ? c.Int("num_kv_heads", "n_head_kv") ?? 1 : c.Int("num_key_value_heads") ?? heads);
        m.SetIf(MetadataKeys.RopeFreqBase(a), c.Float("rope_theta"));
        if (f.RmsNorm) m.SetIf(MetadataKeys.RmsEpsilon(a), c.Float("rms_norm_eps"));
        else m.SetIf(MetadataKeys.LayerNormEpsilon(a), c.Float("layer_norm_eps", "layer_norm_epsilon"));
        RopeScaling(f, c, m, a);
        m.SetIf(MetadataKeys.VocabSize(a), c.Int("vocab_size"));
        f.Metadata(c, m, a);
        return m;
    }

    private static void RopeScaling(HfFamily f, HfConfig c, MetadataBuilder m, string a)
    {
        if (c.Object("rope_scaling") is not { } rs) return;
        string? type = HfRopeScaling.Type(c);
        float? factor = rs.TryGetProperty("factor", out var fv) && fv.ValueKind == System.Text.Json.JsonValueKind.Number ? (float)fv.GetDouble() : null;
        switch (type)
        {
            case "linear" when factor != null:
                m.Set(MetadataKeys.RopeScalingType(a), "linear");
                m.Set(MetadataKeys.RopeScalingFactor(a), factor.Value);
                break;
            case "yarn" when factor != null:
                m.Set(MetadataKeys.RopeScalingType(a), "yarn");
                m.Set(MetadataKeys.RopeScalingFactor(a), factor.Value);
                if (rs.TryGetProperty("original_max_position_embeddings", out var o) && o.TryGetInt32(out int oc))
                    m.Set(MetadataKeys.RopeScalingOriginalContext(a), oc);
                break;
            case "su" or "longrope" when f.RopeTypes.Contains(type):
                m.Set(MetadataKeys.RopeScalingType(a), "longrope"); // the factors are the family's tensors
                break;
            case "llama3" when f.RopeTypes.Contains(type):
                break; // no metadata: the family's rope_freqs tensor carries it
            default:
                string supported = string.Join(", ", ((string[])["linear", "yarn"]).Concat(f.RopeTypes.Order(StringComparer.Ordinal)));
                throw new UnsupportedModelException($"{c.Path}: field 'rope_scaling' has type '{type}', which checkpoint loading does not support for model_type '{c.String("model_type")}' (supported: {supported})");
        }
    }
}
