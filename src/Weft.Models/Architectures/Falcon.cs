// falcon: Falcon 7B/40B/180B. LayerNorm with bias, multi-query (7B) or grouped (40B) attention from a fused
// attn_qkv, NeoX rotary embeddings, attention and a GELU MLP in parallel on the same residual; the 40B layout
// gives attention its own norm (attn_norm_2). The output head is tied to the embedding when output.weight is absent.
using Weft.Models.Loading;
using Weft.Models.Transformer;
using Weft.Tensors.Kernels;

namespace Weft.Models.Architectures;

public sealed class Falcon : Architecture
{
    public override string Name => "falcon";

    public override ModelConfig ReadConfig(MetadataReader meta) =>
        HyperparameterReader.RequireDense(meta, HyperparameterReader.Read(meta, Name, NormKind.Layer, RopeStyle.NeoX, wholeHeadRope: true)) with
        {
            GatedFfn = false,
            Activation = FfnActivation.GeluTanh,
            ParallelResidual = true,
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
                AttnNorm = w.Norm(TensorNames.AttnNorm(i), TensorNames.AttnNormBias(i), d),
                AttnNorm2 = w.OptionalNorm(TensorNames.AttnNorm2(i), TensorNames.AttnNorm2Bias(i), d),
                Q = p.Q, K = p.K, V = p.V,
                QBias = p.QBias, KBias = p.KBias, VBias = p.VBias,
                O = w.Matrix(TensorNames.AttnOutput(i), d, c.QueryWidth),
                Up = w.Matrix(TensorNames.FfnUp(i), c.FeedForwardLength, d),
                Down = w.Matrix(TensorNames.FfnDown(i), d, c.FeedForwardLength),
            };
        }
        var embedding = w.Table(TensorNames.TokenEmbedding, c.VocabSize, d);
        return new DecoderWeights
        {
            TokenEmbedding = embedding,
            OutputNorm = w.Norm(TensorNames.OutputNorm, TensorNames.OutputNormBias, d),
            Output = BlockLoader.Output(w, c, embedding),
            Layers = layers,
        };
    }
}
