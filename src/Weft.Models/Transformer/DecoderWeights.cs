// The weights of a decoder-only transformer, viewed in place; optional parts are null when a family lacks them,
// and which parts are present decides the block's shape (pre/post norms, biases, q/k norms).
using Weft.Tensors.Kernels;

namespace Weft.Models.Transformer;

/// <summary>One normalisation's parameters ([width] each); both null for a non-parametric norm (olmo).</summary>
public sealed record NormWeights(float[]? Weight, float[]? Bias = null);

public sealed class LayerWeights
{
    /// <summary>Norm before attention; null when the block has none (olmo2 normalises after instead).</summary>
    public NormWeights? AttnNorm { get; init; }
    /// <summary>Falcon-40B: attention reads this norm of the residual while the feed-forward reads <see cref="AttnNorm"/>'s.</summary>
    public NormWeights? AttnNorm2 { get; init; }
    public required QMatrix Q { get; init; }
    public required QMatrix K { get; init; }
    public required QMatrix V { get; init; }
    public required QMatrix O { get; init; }
    public float[]? QBias { get; init; }
    public float[]? KBias { get; init; }
    public float[]? VBias { get; init; }
    public float[]? OBias { get; init; }
    /// <summary>RMSNorm of the projected queries/keys: over the whole row ([QueryWidth]/[KeyWidth], olmo2) or per head ([HeadDim]).</summary>
    public NormWeights? QNorm { get; init; }
    public NormWeights? KNorm { get; init; }
    /// <summary>Norm of the attention output before the residual add (gemma2, olmo2).</summary>
    public NormWeights? PostAttnNorm { get; init; }
    /// <summary>Norm before the feed-forward; null when it reads the attention norm (parallel residual) or the residual itself (olmo2).</summary>
    public NormWeights? FfnNorm { get; init; }
    public QMatrix Gate { get; init; }
    public QMatrix Up { get; init; }
    public QMatrix Down { get; init; }
    /// <summary>Norm of the feed-forward output before the residual add (gemma2, olmo2).</summary>
    public NormWeights? PostFfnNorm { get; init; }
    /// <summary>Mixture of experts: the router [experts, n_embd] and one matrix per expert.</summary>
    public QMatrix Router { get; init; }
    public QMatrix[]? GateExperts { get; init; }
    public QMatrix[]? UpExperts { get; init; }
    public QMatrix[]? DownExperts { get; init; }
}

public sealed class DecoderWeights
{
    /// <summary>[vocab, n_embd]</summary>
    public required QMatrix TokenEmbedding { get; init; }
    public required NormWeights OutputNorm { get; init; }
    /// <summary>[vocab, n_embd]; the token embedding itself when the file ties them.</summary>
    public required QMatrix Output { get; init; }
    /// <summary>[vocab]</summary>
    public float[]? OutputBias { get; init; }
    /// <summary>Phi-3 long-context rope frequency factors ([rope dims / 2]): long when the context exceeds the original one, short otherwise.</summary>
    public float[]? RopeFactorsLong { get; init; }
    public float[]? RopeFactorsShort { get; init; }
    public required LayerWeights[] Layers { get; init; }

    /// <summary>Bytes of weights a single decoded token reads: every matrix but the embedding table (one row of it).</summary>
    public long BytesPerToken(int usedExperts, int experts)
    {
        long total = TokenEmbedding.RowBytes + Output.ByteSize;
        foreach (var l in Layers)
        {
            total += l.Q.ByteSize + l.K.ByteSize + l.V.ByteSize + l.O.ByteSize;
            if (l.GateExperts != null)
            {
                total += l.Router.ByteSize;
                long perExpert = l.GateExperts[0].ByteSize + l.UpExperts![0].ByteSize + l.DownExperts![0].ByteSize;
                total += perExpert * Math.Min(usedExperts, experts);
            }
            else total += (l.Gate.IsEmpty ? 0 : l.Gate.ByteSize) + l.Up.ByteSize + l.Down.ByteSize;
        }
        return total;
    }
}
