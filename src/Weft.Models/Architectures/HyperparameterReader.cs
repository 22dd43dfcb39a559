// Reads the hyperparameters every family shares (widths, heads, context, rope, vocabulary, experts) under its own
// key prefix; a family's file then adjusts the result with its differences.
using Weft.Formats;
using Weft.Models.Loading;
using Weft.Tensors.Kernels;

namespace Weft.Models.Architectures;

public static class HyperparameterReader
{
    /// <param name="norm">the family's norm kind; it decides which epsilon key is read (RMS or LayerNorm).</param>
    /// <param name="wholeHeadRope">the family rotates whole heads (llama, falcon), so a smaller rope dimension count is an error.</param>
    public static ModelConfig Read(MetadataReader meta, string a, NormKind norm, RopeStyle ropeStyle, bool wholeHeadRope)
    {
        string path = meta.File.Path;
        int embd = meta.Int(MetadataKeys.EmbeddingLength(a));
        int heads = meta.UniformInt(MetadataKeys.HeadCount(a), 0, 1, 4096);
        if (heads == 0) throw new ModelFormatException($"{path}: required metadata key '{MetadataKeys.HeadCount(a)}' is missing");
        int kvHeads = meta.UniformInt(MetadataKeys.HeadCountKv(a), heads, 1, heads);
        if (heads % kvHeads != 0)
            throw new ModelFormatException($"{path}: {heads} attention heads cannot be shared by {kvHeads} key/value heads");
        int headDim = meta.Int(MetadataKeys.KeyLength(a), embd / heads, 1, 1 << 16);
        int valueDim = meta.Int(MetadataKeys.ValueLength(a), embd / heads, 1, 1 << 16);
        int train = meta.Int(MetadataKeys.ContextLength(a), 1, 1 << 26);
        var rope = RopeConfigReader.Read(meta, a, headDim, train);
        if (wholeHeadRope && rope.Dims != headDim)
            throw new ModelFormatException($"{path}: '{MetadataKeys.RopeDimensionCount(a)}' is {rope.Dims}; {a} rotates whole heads of {headDim}");
        int vocab = meta.Has(MetadataKeys.VocabSize(a))
            ? meta.Int(MetadataKeys.VocabSize(a))
            : meta.File.FindTensor(TensorNames.TokenEmbedding) is { } te && te.Shape.Length == 2
                ? (int)Math.Min(te.Shape[1], int.MaxValue)
                : throw new ModelFormatException($"{path}: required tensor '{TensorNames.TokenEmbedding}' is missing");
        int experts = meta.Int(MetadataKeys.ExpertCount(a), 0, 0, 1024);
        int used = meta.Int(MetadataKeys.ExpertUsedCount(a), 0, 0, Math.Max(experts, 0));
        if (experts > 0 && used == 0)
            throw new ModelFormatException($"{path}: '{MetadataKeys.ExpertCount(a)}' is {experts} but '{MetadataKeys.ExpertUsedCount(a)}' is missing or 0");
        string epsKey = norm == NormKind.Rms ? MetadataKeys.RmsEpsilon(a) : MetadataKeys.LayerNormEpsilon(a);
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
                ? ff : throw new ModelFormatException($"{path}: required metadata key '{MetadataKeys.FeedForwardLength(a)}' is missing"),
            NormEpsilon = meta.Float(epsKey, 1e-5f, 0f, 1f),
            Norm = norm,
            TrainContextLength = train,
            Rope = rope,
            RopeStyle = ropeStyle,
            SlidingWindow = meta.Int(MetadataKeys.SlidingWindow(a), 0, 0, 1 << 26),
            AttentionScale = meta.Float(MetadataKeys.AttentionScale(a), 0f) is var s && s != 0f ? s : 1f / MathF.Sqrt(headDim),
            ExpertCount = experts,
            ExpertUsedCount = used,
        };
    }

    /// <summary>Families without a mixture-of-experts layout reject files that declare experts.</summary>
    public static ModelConfig RequireDense(MetadataReader meta, ModelConfig c) =>
        c.ExpertCount == 0 ? c : throw new UnsupportedModelException(
            $"{meta.File.Path}: '{MetadataKeys.ExpertCount(c.Architecture)}' is {c.ExpertCount}, but experts are supported for llama only");
}
