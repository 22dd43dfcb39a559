// olmo: OLMo 1 (AI2). Non-parametric LayerNorm (no weight, no bias) before attention, the feed-forward and the
// output; Q, K and V optionally clamped to ±clamp_kqv; SwiGLU; rotary embeddings on adjacent pairs.
using Weft.Models.Loading;
using Weft.Models.Transformer;
using Weft.Tensors.Kernels;

namespace Weft.Models.Architectures;

public sealed class Olmo : Architecture
{
    public override string Name => "olmo";

    private static readonly NormWeights NonParametric = new(null);

    public override ModelConfig ReadConfig(MetadataReader meta) =>
        HyperparameterReader.RequireDense(meta, HyperparameterReader.Read(meta, Name, NormKind.Layer, RopeStyle.Normal, wholeHeadRope: false)) with
        {
            ClampKqv = meta.Float(MetadataKeys.ClampKqv(Name), 0f, 0f),
        };

    public override DecoderWeights LoadWeights(WeightLoader w, ModelConfig c)
    {
        int d = c.EmbeddingLength;
        var layers = new LayerWeights[c.LayerCount];
        for (int i = 0; i < layers.Length; i++)
        {
            var p = BlockLoader.Attention(w, c, i);
            layers[i] = new LayerWeights
            {
                AttnNorm = NonParametric,
                Q = p.Q, K = p.K, V = p.V,
                QBias = p.QBias, KBias = p.KBias, VBias = p.VBias,
                O = w.Matrix(TensorNames.AttnOutput(i), d, c.QueryWidth),
                FfnNorm = NonParametric,
                Gate = w.Matrix(TensorNames.FfnGate(i), c.FeedForwardLength, d),
                Up = w.Matrix(TensorNames.FfnUp(i), c.FeedForwardLength, d),
                Down = w.Matrix(TensorNames.FfnDown(i), d, c.FeedForwardLength),
            };
        }
        var embedding = w.Table(TensorNames.TokenEmbedding, c.VocabSize, d);
        return new DecoderWeights
        {
            TokenEmbedding = embedding,
            OutputNorm = NonParametric,
            Output = BlockLoader.Output(w, c, embedding),
            Layers = layers,
        };
    }
}
