// olmo2: OLMo 2 (AI2). No norm before attention or the feed-forward: RMSNorm of each block's output before the
// residual add, plus RMSNorm of the whole projected query and key rows; SwiGLU; NeoX rotary embeddings.
using Weft.Models.Loading;
using Weft.Models.Transformer;
using Weft.Tensors.Kernels;

namespace Weft.Models.Architectures;

public sealed class Olmo2 : Architecture
{
    public override string Name => "olmo2";

    public override ModelConfig ReadConfig(MetadataReader meta)
    {
        var c = HyperparameterReader.RequireDense(meta, HyperparameterReader.Read(meta, Name, NormKind.Rms, RopeStyle.NeoX, wholeHeadRope: false));
        if (c.SlidingWindow > 0)
            throw new UnsupportedModelException($"{meta.File.Path}: '{MetadataKeys.SlidingWindow(Name)}' is set (OLMo 3's sliding layers), which this engine does not support for olmo2");
        return c;
    }

    public override DecoderWeights LoadWeights(WeightLoader w, ModelConfig c)
    {
        int d = c.EmbeddingLength;
        var layers = new LayerWeights[c.LayerCount];
        for (int i = 0; i < layers.Length; i++)
        {
            var p = BlockLoader.Attention(w, c, i);
            layers[i] = new LayerWeights
            {
                Q = p.Q, K = p.K, V = p.V,
                QBias = p.QBias, KBias = p.KBias, VBias = p.VBias,
                QNorm = w.Norm(TensorNames.AttnQNorm(i), null, c.QueryWidth),
                KNorm = w.Norm(TensorNames.AttnKNorm(i), null, c.KeyWidth),
                O = w.Matrix(TensorNames.AttnOutput(i), d, c.QueryWidth),
                PostAttnNorm = w.Norm(TensorNames.AttnPostNorm(i), null, d),
                Gate = w.Matrix(TensorNames.FfnGate(i), c.FeedForwardLength, d),
                Up = w.Matrix(TensorNames.FfnUp(i), c.FeedForwardLength, d),
                Down = w.Matrix(TensorNames.FfnDown(i), d, c.FeedForwardLength),
                PostFfnNorm = w.Norm(TensorNames.FfnPostNorm(i), null, d),
            };
        }
        return new DecoderWeights
        {
            TokenEmbedding = w.Table(TensorNames.TokenEmbedding, c.VocabSize, d),
            OutputNorm = w.Norm(TensorNames.OutputNorm, null, d),
            Output = w.Matrix(TensorNames.Output, c.VocabSize, d),
            Layers = layers,
        };
    }
}
