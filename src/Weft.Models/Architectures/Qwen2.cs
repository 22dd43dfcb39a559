// qwen2: Qwen 1.5 and Qwen 2/2.5 dense models. The llama block with biases on the Q, K and V projections and
// NeoX rotary embeddings; the output head may be tied to the embedding and may carry a bias.
using Weft.Models.Loading;
using Weft.Models.Transformer;
using Weft.Tensors.Kernels;

namespace Weft.Models.Architectures;

public sealed class Qwen2 : Architecture
{
    public override string Name => "qwen2";

    public override ModelConfig ReadConfig(MetadataReader meta) =>
        HyperparameterReader.RequireDense(meta, HyperparameterReader.Read(meta, Name, NormKind.Rms, RopeStyle.NeoX, wholeHeadRope: false));

    public override DecoderWeights LoadWeights(WeightLoader w, ModelConfig c)
    {
        int d = c.EmbeddingLength;
        var layers = new LayerWeights[c.LayerCount];
        for (int i = 0; i < layers.Length; i++)
        {
            var p = BlockLoader.Attention(w, c, i);
            layers[i] = new LayerWeights
            {
                AttnNorm = w.Norm(TensorNames.AttnNorm(i), null, d),
                Q = p.Q, K = p.K, V = p.V,
                QBias = p.QBias, KBias = p.KBias, VBias = p.VBias,
                O = w.Matrix(TensorNames.AttnOutput(i), d, c.QueryWidth),
                OBias = w.OptionalVector(TensorNames.AttnOutputBias(i), d),
                FfnNorm = w.Norm(TensorNames.FfnNorm(i), null, d),
                Gate = w.Matrix(TensorNames.FfnGate(i), c.FeedForwardLength, d),
                Up = w.Matrix(TensorNames.FfnUp(i), c.FeedForwardLength, d),
                Down = w.Matrix(TensorNames.FfnDown(i), d, c.FeedForwardLength),
            };
        }
        var embedding = w.Table(TensorNames.TokenEmbedding, c.VocabSize, d);
        return new DecoderWeights
        {
            TokenEmbedding = embedding,
            OutputNorm = w.Norm(TensorNames.OutputNorm, null, d),
            Output = BlockLoader.Output(w, c, embedding),
            OutputBias = w.OptionalVector(TensorNames.OutputBias, c.VocabSize),
            Layers = layers,
        };
    }
}
