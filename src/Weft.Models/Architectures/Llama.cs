// llama: Llama 1/2/3, Mistral, Mixtral (experts), CodeLlama, TinyLlama and their fine-tunes.
// RMSNorm, rotary embeddings on adjacent pairs, grouped-query attention, SwiGLU feed-forward.
using Weft.Models.Loading;
using Weft.Models.Transformer;

namespace Weft.Models.Architectures;

public sealed class Llama : Architecture
{
    public override string Name => "llama";

    public override ModelConfig ReadConfig(MetadataReader meta)
    {
        string a = Name;
        int embd = meta.Int(MetadataKeys.EmbeddingLength(a));
        int heads = meta.UniformInt(MetadataKeys.HeadCount(a), 0, 1, 4096);
        if (heads == 0) throw new Weft.Formats.ModelFormatException($"{meta.File.Path}: required metadata key '{MetadataKeys.HeadCount(a)}' is missing");
        int kvHeads = meta.UniformInt(MetadataKeys.HeadCountKv(a), heads, 1, heads);
        if (heads % kvHeads != 0)
            throw new Weft.Formats.ModelFormatException($"{meta.File.Path}: {heads} attention heads cannot be shared by {kvHeads} key/value heads");
        int headDim = meta.Int(MetadataKeys.KeyLength(a), embd / heads, 1, 1 << 16);
        int valueDim = meta.Int(MetadataKeys.ValueLength(a), embd / heads, 1, 1 << 16);
        int train = meta.Int(MetadataKeys.ContextLength(a), 1, 1 << 26);
        var rope = RopeConfigReader.Read(meta, a, headDim, train);
        if (rope.Dims != headDim)
            throw new Weft.Formats.ModelFormatException($"{meta.File.Path}: '{MetadataKeys.RopeDimensionCount(a)}' is {rope.Dims}; llama rotates whole heads of {headDim}");
        int vocab = meta.Has(MetadataKeys.VocabSize(a))
            ? meta.Int(MetadataKeys.VocabSize(a))
            : meta.File.FindTensor(TensorNames.TokenEmbedding) is { } te && te.Shape.Length == 2
                ? (int)Math.Min(te.Shape[1], int.MaxValue)
                : throw new Weft.Formats.ModelFormatException($"{meta.File.Path}: required tensor '{TensorNames.TokenEmbedding}' is missing");
        int experts = meta.Int(MetadataKeys.ExpertCount(a), 0, 0, 1024);
        int used = meta.Int(MetadataKeys.ExpertUsedCount(a), 0, 0, Math.Max(experts, 0));
        if (experts > 0 && used == 0)
            throw new Weft.Formats.ModelFormatException($"{meta.File.Path}: '{MetadataKeys.ExpertCount(a)}' is {experts} but '{MetadataKeys.ExpertUsedCount(a)}' is missing or 0");
        return new ModelConfig
        {
            Architecture = a,
            VocabSize = vocab,
            EmbeddingLength = embd,
            LayerCount = meta.Int(MetadataKeys.BlockCount(a), 1, 4096),
            HeadCount = heads,
            KvHeadCount = kvHeads,
            HeadDim = headDim,
            ValueHeadDim = valueDim,
            FeedForwardLength = meta.UniformInt(MetadataKeys.FeedForwardLength(a), 0, 1, 1 << 20) is var ff && ff > 0
                ? ff : throw new Weft.Formats.ModelFormatException($"{meta.File.Path}: required metadata key '{MetadataKeys.FeedForwardLength(a)}' is missing"),
            NormEpsilon = meta.Float(MetadataKeys.RmsEpsilon(a), 1e-5f, 0f, 1f),
            TrainContextLength = train,
            Rope = rope,
            SlidingWindow = meta.Int(MetadataKeys.SlidingWindow(a), 0, 0, 1 << 26),
            AttentionScale = meta.Float(MetadataKeys.AttentionScale(a), 0f) is var s && s != 0f ? s : 1f / MathF.Sqrt(headDim),
            ExpertCount = experts,
            ExpertUsedCount = used,
        };
    }

    public override DecoderWeights LoadWeights(WeightLoader w, ModelConfig c)
    {
        int d = c.EmbeddingLength;
        var layers = new LayerWeights[c.LayerCount];
        for (int i = 0; i < layers.Length; i++)
        {
            bool moe = c.ExpertCount > 0;
            layers[i] = new LayerWeights
            {
                AttnNorm = w.Vector(TensorNames.AttnNorm(i), d),
                Q = w.Matrix(TensorNames.AttnQ(i), c.QueryWidth, d),
                K = w.Matrix(TensorNames.AttnK(i), c.KeyWidth, d),
                V = w.Matrix(TensorNames.AttnV(i), c.ValueWidth, d),
                O = w.Matrix(TensorNames.AttnOutput(i), d, c.HeadCount * c.ValueHeadDim),
                OBias = w.OptionalVector(TensorNames.AttnOutputBias(i), d),
                FfnNorm = w.Vector(TensorNames.FfnNorm(i), d),
                Gate = moe ? default : w.Matrix(TensorNames.FfnGate(i), c.FeedForwardLength, d),
                Up = moe ? default : w.Matrix(TensorNames.FfnUp(i), c.FeedForwardLength, d),
                Down = moe ? default : w.Matrix(TensorNames.FfnDown(i), d, c.FeedForwardLength),
                Router = moe ? w.Matrix(TensorNames.FfnGateInput(i), c.ExpertCount, d) : default,
                GateExperts = moe ? w.Experts(TensorNames.FfnGateExperts(i), c.ExpertCount, c.FeedForwardLength, d) : null,
                UpExperts = moe ? w.Experts(TensorNames.FfnUpExperts(i), c.ExpertCount, c.FeedForwardLength, d) : null,
                DownExperts = moe ? w.Experts(TensorNames.FfnDownExperts(i), c.ExpertCount, d, c.FeedForwardLength) : null,
            };
        }
        var embedding = w.Matrix(TensorNames.TokenEmbedding, c.VocabSize, d);
        return new DecoderWeights
        {
            TokenEmbedding = embedding,
            OutputNorm = w.Vector(TensorNames.OutputNorm, d),
            Output = w.OptionalMatrix(TensorNames.Output, c.VocabSize, d) ?? embedding,
            Layers = layers,
        };
    }
}
