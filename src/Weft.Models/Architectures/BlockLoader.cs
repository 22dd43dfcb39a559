// Loading steps several families share: attention projections stored separately or fused (attn_qkv), with or
// without biases, and the output head (own matrix or tied to the embedding).
using Weft.Models.Loading;
using Weft.Models.Transformer;
using Weft.Tensors.Kernels;

namespace Weft.Models.Architectures;

public readonly record struct Projections(QMatrix Q, QMatrix K, QMatrix V, float[]? QBias, float[]? KBias, float[]? VBias);

public static class BlockLoader
{
    /// <summary>Q, K and V of layer <paramref name="i"/>: from attn_qkv when the file fuses them (rows stacked q, k, v), else attn_q/k/v; biases when present.</summary>
    public static Projections Attention(WeightLoader w, ModelConfig c, int i)
    {
        int d = c.EmbeddingLength, q = c.QueryWidth, k = c.KeyWidth, v = c.ValueWidth;
        if (w.Has(TensorNames.AttnQkv(i)))
        {
            var m = w.MatrixParts(TensorNames.AttnQkv(i), d, q, k, v);
            if (w.Has(TensorNames.AttnQkvBias(i)))
            {
                var b = w.VectorParts(TensorNames.AttnQkvBias(i), q, k, v);
                return new(m[0], m[1], m[2], b[0], b[1], b[2]);
            }
            return new(m[0], m[1], m[2], w.OptionalVector(TensorNames.AttnQBias(i), q), w.OptionalVector(TensorNames.AttnKBias(i), k), w.OptionalVector(TensorNames.AttnVBias(i), v));
        }
        return new(
            w.Matrix(TensorNames.AttnQ(i), q, d), w.Matrix(TensorNames.AttnK(i), k, d), w.Matrix(TensorNames.AttnV(i), v, d),
            w.OptionalVector(TensorNames.AttnQBias(i), q), w.OptionalVector(TensorNames.AttnKBias(i), k), w.OptionalVector(TensorNames.AttnVBias(i), v));
    }

    /// <summary>output.weight, or the token embedding when the file ties them.</summary>
    public static QMatrix Output(WeightLoader w, ModelConfig c, QMatrix embedding) =>
        w.OptionalMatrix(TensorNames.Output, c.VocabSize, c.EmbeddingLength) ?? embedding;
}
