// How one Hugging Face model_type becomes GGUF: its architecture, config.json → metadata, tensor names, and the
// few layout changes llama.cpp's converter makes (Q/K permutation is decided by the architecture's rope style).
using Weft.Formats.Gguf;

namespace Weft.Models.Checkpoints;

/// <summary>Ordered GGUF metadata being built from config.json.</summary>
public sealed class MetadataBuilder
{
    private readonly List<KeyValuePair<string, GgufValue>> _items = new();

    public IReadOnlyList<KeyValuePair<string, GgufValue>> Items => _items;

    public void Set(string key, GgufValue value)
    {
        int i = _items.FindIndex(kv => kv.Key == key);
        if (i >= 0) _items[i] = new(key, value);
        else _items.Add(new(key, value));
    }

    public void Set(string key, int value) => Set(key, GgufValue.Of((uint)value));
    public void Set(string key, float value) => Set(key, GgufValue.Of(value));
    public void Set(string key, string value) => Set(key, GgufValue.Of(value));
    public void SetIf(string key, int? value) { if (value is int v) Set(key, v); }
    public void SetIf(string key, float? value) { if (value is float v) Set(key, v); }
}

public sealed record HfFamily
{
    /// <summary>The GGUF general.architecture written.</summary>
    public required string Architecture { get; init; }
    /// <summary>Layer tensors are named LayerPrefix + layer + "." + suffix.</summary>
    public string LayerPrefix { get; init; } = "model.layers.";
    /// <summary>Whole-model tensors without their .weight/.bias: Hugging Face name → GGUF name (with .weight).</summary>
    public required IReadOnlyDictionary<string, string> Globals { get; init; }
    /// <summary>Layer tensors without .weight/.bias: suffix → GGUF name of layer (with .weight).</summary>
    public required IReadOnlyDictionary<string, Func<int, string>> Layer { get; init; }
    /// <summary>The family's config.json fields → metadata, after the shared ones.</summary>
    public required Action<HfConfig, MetadataBuilder, string> Metadata { get; init; }
    /// <summary>Norm epsilon under layer_norm_rms_epsilon (else layer_norm_epsilon).</summary>
    public bool RmsNorm { get; init; } = true;
    /// <summary>Norm weights are stored as w and applied as 1 + w (Gemma); GGUF stores 1 + w.</summary>
    public bool NormPlusOne { get; init; }
    /// <summary>The fused QKV rows are grouped per key/value head (q…, k, v per group), as Falcon stores them;
    /// GGUF stacks all q rows, then k, then v.</summary>
    public bool GroupedQkv { get; init; }
    /// <summary>rope_scaling types the family converts besides linear and yarn (llama3, Phi-3's su/longrope).</summary>
    public IReadOnlySet<string> RopeTypes { get; init; } = new HashSet<string>();
    /// <summary>Tensors the converter computes from config.json (rope frequency factors): GGUF name → F32 values.</summary>
    public Func<HfConfig, IEnumerable<(string Name, float[] Values)>> ComputedTensors { get; init; } = _ => [];
    /// <summary>Mixtral's experts: LayerPrefix + layer + ".block_sparse_moe.experts.E.{w1,w2,w3}".</summary>
    public bool Experts { get; init; }
}
