// Which type each tensor gets under a recipe, following llama.cpp's quantizer: attention-v and feed-forward-down
// tensors of some layers get more bits, the output head gets Q6_K, and shapes a type cannot hold fall back.
using Weft.Tensors;

namespace Weft.Models.Quantization;

public sealed class QuantizationRecipe
{
    private enum Category { Output, TokenEmbedding, AttnV, AttnQkv, AttnK, AttnQ, AttnOutput, FfnUp, FfnGate, FfnDown, Other }

    private readonly FileType _ft;
    private readonly bool _pure;
    private readonly bool _tiedEmbeddings;
    private readonly int _layers;
    private readonly int _attnVCount;
    private readonly int _experts;
    private readonly int _gqa;
    private int _attnV;
    private int _ffnDown;

    /// <param name="tensorNames">every tensor of the source, in file order (counts of attention-v tensors matter).</param>
    public QuantizationRecipe(FileType fileType, IReadOnlyList<string> tensorNames, int layers, int experts, int gqa, bool pure)
    {
        _ft = fileType;
        _pure = pure;
        _layers = Math.Max(1, layers);
        _experts = experts;
        _gqa = gqa;
        _tiedEmbeddings = !tensorNames.Contains(TensorNames.Output);
        _attnVCount = tensorNames.Count(n => CategoryOf(n) is Category.AttnV or Category.AttnQkv);
    }

    /// <summary>Whether the recipe converts this tensor at all (2-D or larger weights that are not norms or routers).</summary>
    public static bool IsQuantizable(string name, int dims) =>
        dims >= 2 && name.EndsWith("weight", StringComparison.Ordinal) && !name.Contains("_norm.weight", StringComparison.Ordinal)
        && !name.Contains("ffn_gate_inp.weight", StringComparison.Ordinal);

    /// <summary>The type of one tensor; call once per tensor, in file order.</summary>
    public GgmlType TypeFor(string name, GgmlType current, long[] shape)
    {
        if (!IsQuantizable(name, shape.Length)) return current;
        var type = _ft.DefaultType;
        if (!IsBlockQuantized(type)) return type;
        if (!_pure) type = Select(name, type, shape[0]);
        return Fallback(type, shape[0]);
    }

    private static bool IsBlockQuantized(GgmlType t) => t is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16);

    private static Category CategoryOf(string name)
    {
        if (name == TensorNames.Output) return Category.Output;
        if (name == TensorNames.TokenEmbedding) return Category.TokenEmbedding;
        if (name.Contains("attn_qkv.weight", StringComparison.Ordinal)) return Category.AttnQkv;
        if (name.Contains("attn_v.weight", StringComparison.Ordinal)) return Category.AttnV;
        if (name.Contains("attn_k.weight", StringComparison.Ordinal)) return Category.AttnK;
        if (name.Contains("attn_q.weight", StringComparison.Ordinal)) return Category.AttnQ;
        if (name.Contains("attn_output.weight", StringComparison.Ordinal)) return Category.AttnOutput;
        if (name.Contains("ffn_up", StringComparison.Ordinal)) return Category.FfnUp;
        if (name.Contains("ffn_gate", StringComparison.Ordinal)) return Category.FfnGate;
        if (name.Contains("ffn_down", StringComparison.Ordinal)) return Category.FfnDown;
        return Category.Other;
    }

    /// <summary>Layers that get more bits: the first and last eighth, and every third layer between.</summary>
    private static bool UseMoreBits(int i, int n) => i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;

    private static int LayerOf(string name)
    {
        var parts = name.Split('.');
        return parts.Length > 1 && parts[0] == "blk" && int.TryParse(parts[1], out int l) ? l : 0;
    }

    private GgmlType Select(string name, GgmlType type, long cols)
    {
        string ft = _ft.Name;
        var cat = CategoryOf(name);
        if (cat == Category.Output || (cat == Category.TokenEmbedding && _tiedEmbeddings))
        {
            if (cols % TypeTraits.Of(type).BlockSize != 0) return GgmlType.Q8_0;
            return type == GgmlType.Q8_0 ? type : GgmlType.Q6_K;
        }
        if (cat == Category.TokenEmbedding) return type;
        if (cat is Category.AttnV or Category.AttnQkv)
        {
            int i = _attnV++;
            if (ft == "Q2_K") type = _gqa >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
            else if (ft == "Q3_K_M") type = i < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
            else if (ft == "Q3_K_L") type = GgmlType.Q5_K;
            else if (ft is "Q4_K_M" or "Q5_K_M" && UseMoreBits(i, _attnVCount)) type = GgmlType.Q6_K;
            else if (ft == "Q4_K_S" && i < 4) type = GgmlType.Q5_K;
            if (_experts == 8) type = GgmlType.Q8_0;
            return type;
        }
        if (cat == Category.AttnK) return _experts == 8 ? GgmlType.Q8_0 : type;
        if (cat == Category.FfnDown)
        {
            int i = _experts > 1 ? LayerOf(name) : _ffnDown;
            int n = _layers;
            _ffnDown++;
            return ft switch
            {
                "Q2_K" => GgmlType.Q3_K,
                "Q3_K_M" => i < n / 16 ? GgmlType.Q5_K : GgmlType.Q4_K,
                "Q3_K_L" => GgmlType.Q5_K,
                "Q4_K_M" when UseMoreBits(i, n) => GgmlType.Q6_K,
                "Q5_K_M" when UseMoreBits(i, n) => GgmlType.Q6_K,
                "Q4_K_S" when i < n / 8 => GgmlType.Q5_K,
                _ => type,
            };
        }
        if (cat == Category.AttnOutput)
        {
            if (_experts == 8)
                return ft is "Q2_K" or "Q3_K_S" or "Q3_K_M" or "Q4_K_S" or "Q4_K_M" ? GgmlType.Q5_K : type;
            return ft switch
            {
                "Q2_K" => GgmlType.Q3_K,
                "Q3_K_M" => GgmlType.Q4_K,
                "Q3_K_L" => GgmlType.Q5_K,
                _ => type,
            };
        }
        return type;
    }

    /// <summary>A type whose block does not divide the row length falls back to a 32-element type, else F16.</summary>
    private static GgmlType Fallback(GgmlType type, long cols)
    {
        if (cols % TypeTraits.Of(type).BlockSize == 0) return type;
        var fallback = type switch
        {
            GgmlType.Q2_K or GgmlType.Q3_K => GgmlType.Q4_0,
            GgmlType.Q4_K => GgmlType.Q5_0,
            GgmlType.Q5_K => GgmlType.Q5_1,
            GgmlType.Q6_K => GgmlType.Q8_0,
            _ => type,
        };
        return cols % TypeTraits.Of(fallback).BlockSize == 0 ? fallback : GgmlType.F16;
    }
}
