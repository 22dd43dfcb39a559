// gemma2: Gemma 2 (Google). RMSNorm before and after both attention and the feed-forward (the file's norm weights
// already include Gemma's +1), GeGLU, embeddings scaled by sqrt(n_embd), soft-capped attention scores and logits,
// sliding-window attention on alternate layers, NeoX rotary embeddings, output tied to the embedding.
using Weft.Models.Loading;
using Weft.Models.Transformer;
using Weft.Tensors.Kernels;

namespace Weft.Models.Architectures;

public sealed class Gemma2 : Architecture
{
    public override string Name => "gemma2";

    /// <summary>Gemma 2's published defaults, used when the file leaves the keys out (as llama.cpp does).</summary>
    private const int DefaultWindow = 4096;
    private const int DefaultPattern = 2;
    private const float DefaultAttentionCap = 50f;
    private const float DefaultFinalCap = 30f;
    /// <summary>Only the 27B model (46 layers) scales queries by n_embd / n_head instead of the head width (query_pre_attn_scalar).</summary>
    private const int LayersOf27B = 46;

    public override ModelConfig ReadConfig(MetadataReader meta)
    {
        string a = Name;
        var c = HyperparameterReader.RequireDense(meta, HyperparameterReader.Read(meta, a, NormKind.Rms, RopeStyle.NeoX, wholeHeadRope: false));
        if (meta.Has(MetadataKeys.RopeFreqBaseSwa(a)) && meta.Float(MetadataKeys.RopeFreqBaseSwa(a), 0f) != c.Rope.FreqBase)
            throw new UnsupportedModelException($"{meta.File.Path}: '{MetadataKeys.RopeFreqBaseSwa(a)}' differs from the rope base, which this engine does not support");
        float scale = c.LayerCount == LayersOf27B
            ? 1f / MathF.Sqrt(c.EmbeddingLength / c.HeadCount)
            : 1f / MathF.Sqrt(c.HeadDim);
        return c with
        {
            SlidingWindow = meta.Int(MetadataKeys.SlidingWindow(a), DefaultWindow, 0, 1 << 26),
            SlidingWindowPattern = meta.Int(MetadataKeys.SlidingWindowPattern(a), DefaultPattern, 0, 1 << 16),
            AttentionSoftCap = meta.Float(MetadataKeys.AttnLogitSoftcapping(a), DefaultAttentionCap, 1e-3f),
            FinalSoftCap = meta.Float(MetadataKeys.FinalLogitSoftcapping(a), DefaultFinalCap, 1e-3f),
            EmbeddingScale = MathF.Sqrt(c.EmbeddingLength),
            AttentionScale = scale,
            Activation = FfnActivation.GeluTanh,
        };
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
                AttnNorm = w.Norm(TensorNames.AttnNorm(i), null, d),
                Q = p.Q, K = p.K, V = p.V,
                QBias = p.QBias, KBias = p.KBias, VBias = p.VBias,
                O = w.Matrix(TensorNames.AttnOutput(i), d, c.HeadCount * c.ValueHeadDim),
                PostAttnNorm = w.Norm(TensorNames.AttnPostNorm(i), null, d),
                FfnNorm = w.Norm(TensorNames.FfnNorm(i), null, d),
                Gate = w.Matrix(TensorNames.FfnGate(i), c.FeedForwardLength, d),
                Up = w.Matrix(TensorNames.FfnUp(i), c.FeedForwardLength, d),
                Down = w.Matrix(TensorNames.FfnDown(i), d, c.FeedForwardLength),
                PostFfnNorm = w.Norm(TensorNames.FfnPostNorm(i), null, d),
            };
        }
        var embedding = w.Table(TensorNames.TokenEmbedding, c.VocabSize, d);
        return new DecoderWeights
        {
            TokenEmbedding = embedding,
            OutputNorm = w.Norm(TensorNames.OutputNorm, null, d),
            Output = embedding,
            Layers = layers,
        };
    }
}
