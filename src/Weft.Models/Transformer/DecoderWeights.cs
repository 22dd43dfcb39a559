// The weights of a decoder-only transformer, viewed in place; optional parts are null when a family lacks them.
using Weft.Tensors.Kernels;

namespace Weft.Models.Transformer;

public sealed class LayerWeights
{
    public required float[] AttnNorm { get; init; }
    public float[]? AttnNormBias { get; init; }
    public required QMatrix Q { get; init; }
    public required QMatrix K { get; init; }
    public required QMatrix V { get; init; }
    public required QMatrix O { get; init; }
    public float[]? QBias { get; init; }
    public float[]? KBias { get; init; }
    public float[]? VBias { get; init; }
    public float[]? OBias { get; init; }
    public required float[] FfnNorm { get; init; }
    public QMatrix Gate { get; init; }
    public QMatrix Up { get; init; }
    public QMatrix Down { get; init; }
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
    public required float[] OutputNorm { get; init; }
    public float[]? OutputNormBias { get; init; }
    /// <summary>[vocab, n_embd]; the token embedding itself when the file ties them.</summary>
    public required QMatrix Output { get; init; }
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
            else total += l.Gate.ByteSize + l.Up.ByteSize + l.Down.ByteSize;
        }
        return total;
    }
}
