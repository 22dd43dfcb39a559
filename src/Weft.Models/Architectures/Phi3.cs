// phi3: Phi-3 and Phi-3.5 (Microsoft). The llama block with fused attn_qkv and a fused gate+up projection
// (ffn_up holds 2·n_ff rows, gate first), NeoX rotary embeddings and, for the long-context models, per-dimension
// rope factors: rope_factors_long when the context exceeds the original one, rope_factors_short otherwise.
using Weft.Models.Loading;
using Weft.Models.Transformer;
using Weft.Tensors.Kernels;

namespace Weft.Models.Architectures;

public sealed class Phi3 : Architecture
{
    public override string Name => "phi3";

    // llama.cpp disables Phi-3's sliding window (its files do not describe the pattern reliably); so do we.
    public override ModelConfig ReadConfig(MetadataReader meta) =>
        HyperparameterReader.RequireDense(meta, HyperparameterReader.Read(meta, Name, NormKind.Rms, RopeStyle.NeoX, wholeHeadRope: false)) with
        {
            SlidingWindow = 0,
        };

    public override DecoderWeights LoadWeights(WeightLoader w, ModelConfig c)
    {
        int d = c.EmbeddingLength, ff = c.FeedForwardLength;
        var layers = new LayerWeights[c.LayerCount];
        for (int i = 0; i < layers.Length; i++)
        {
            var p = BlockLoader.Attention(w, c, i);
            var gateUp = w.MatrixParts(TensorNames.FfnUp(i), d, ff, ff);
            layers[i] = new LayerWeights
            {
                AttnNorm = w.Norm(TensorNames.AttnNorm(i), null, d),
                Q = p.Q, K = p.K, V = p.V,
                QBias = p.QBias, KBias = p.KBias, VBias = p.VBias,
                O = w.Matrix(TensorNames.AttnOutput(i), d, c.QueryWidth),
                OBias = w.OptionalVector(TensorNames.AttnOutputBias(i), d),
                FfnNorm = w.Norm(TensorNames.FfnNorm(i), null, d),
                Gate = gateUp[0],
                Up = gateUp[1],
                Down = w.Matrix(TensorNames.FfnDown(i), d, ff),
            };
        }
        var embedding = w.Table(TensorNames.TokenEmbedding, c.VocabSize, d);
        return new DecoderWeights
        {
            TokenEmbedding = embedding,
            OutputNorm = w.Norm(TensorNames.OutputNorm, null, d),
            Output = BlockLoader.Output(w, c, embedding),
            OutputBias = w.OptionalVector(TensorNames.OutputBias, c.VocabSize),
            RopeFactorsLong = w.OptionalVector(TensorNames.RopeFactorsLong, c.Rope.Dims / 2),
            RopeFactorsShort = w.OptionalVector(TensorNames.RopeFactorsShort, c.Rope.Dims / 2),
            Layers = layers,
        };
    }
}
