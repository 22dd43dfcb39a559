// llama: Llama 1/2/3, Mistral, Mixtral (experts), CodeLlama, TinyLlama and their fine-tunes.
// RMSNorm, rotary embeddings on adjacent pairs, grouped-query attention, SwiGLU feed-forward.
using Weft.Models.Loading;
using Weft.Models.Transformer;
using Weft.Tensors.Kernels;

namespace Weft.Models.Architectures;

public sealed class Llama : Architecture
{
    public override string Name => "llama";

    public override ModelConfig ReadConfig(MetadataReader meta) =>
        HyperparameterReader.Read(meta, Name, NormKind.Rms, RopeStyle.Normal, wholeHeadRope: true);

    public override DecoderWeights LoadWeights(WeightLoader w, ModelConfig c)
    {
        int d = c.EmbeddingLength;
        bool moe = c.ExpertCount > 0;
        var layers = new LayerWeights[c.LayerCount];
        for (int i = 0; i < layers.Length; i++)
        {
            var p = BlockLoader.Attention(w, c, i);
            layers[i] = new LayerWeights
            {
                AttnNorm = w.Norm(TensorNames.AttnNorm(i), null, d),
                Q = p.Q, K = p.K, V = p.V,
                QBias = p.QBias, KBias = p.KBias, VBias = p.VBias,
                O = w.Matrix(TensorNames.AttnOutput(i), d, c.HeadCount * c.ValueHeadDim),
                OBias = w.OptionalVector(TensorNames.AttnOutputBias(i), d),
                FfnNorm = w.Norm(TensorNames.FfnNorm(i), null, d),
                Gate = moe ? default : w.Matrix(TensorNames.FfnGate(i), c.FeedForwardLength, d),
                Up = moe ? default : w.Matrix(TensorNames.FfnUp(i), c.FeedForwardLength, d),
                Down = moe ? default : w.Matrix(TensorNames.FfnDown(i), d, c.FeedForwardLength),
                Router = moe ? w.Matrix(TensorNames.FfnGateInput(i), c.ExpertCount, d) : default,
                GateExperts = moe ? w.Experts(TensorNames.FfnGateExperts(i), c.ExpertCount, c.FeedForwardLength, d) : null,
                UpExperts = moe ? w.Experts(TensorNames.FfnUpExperts(i), c.ExpertCount, c.FeedForwardLength, d) : null,
                DownExperts = moe ? w.Experts(TensorNames.FfnDownExperts(i), c.ExpertCount, d, c.FeedForwardLength) : null,
            };
        }
        var embedding = w.Table(TensorNames.TokenEmbedding, c.VocabSize, d);
        return new DecoderWeights
        {
            TokenEmbedding = embedding,
            OutputNorm = w.Norm(TensorNames.OutputNorm, null, d),
            Output = BlockLoader.Output(w, c, embedding),
            Layers = layers,
        };
    }
}
