// Architecture-neutral hyperparameters of a decoder-only transformer; architectures differ only in these values.
using Weft.Tensors.Kernels;

namespace Weft.Models;

public enum NormKind { Rms, Layer }

public sealed record ModelConfig
{
    public required string Architecture { get; init; }
    public required int VocabSize { get; init; }
    /// <summary>n_embd: width of the residual stream.</summary>
    public required int EmbeddingLength { get; init; }
    public required int LayerCount { get; init; }
    public required int HeadCount { get; init; }
    public required int KvHeadCount { get; init; }
    /// <summary>Per-head width of queries and keys.</summary>
    public required int HeadDim { get; init; }
    /// <summary>Per-head width of values.</summary>
    public required int ValueHeadDim { get; init; }
    public required int FeedForwardLength { get; init; }
    public required float NormEpsilon { get; init; }
    public NormKind Norm { get; init; } = NormKind.Rms;
    /// <summary>Context length the model was trained with.</summary>
    public required int TrainContextLength { get; init; }
    public required RopeParams Rope { get; init; }
    public RopeStyle RopeStyle { get; init; } = RopeStyle.Normal;
    /// <summary>Tokens a query may look back (itself included); 0 means unlimited.</summary>
    public int SlidingWindow { get; init; }
    /// <summary>Scale applied to q·k; 1/sqrt(HeadDim) unless the file says otherwise.</summary>
    public required float AttentionScale { get; init; }
    public int ExpertCount { get; init; }
    public int ExpertUsedCount { get; init; }

    public int QueryWidth => HeadCount * HeadDim;
    public int KeyWidth => KvHeadCount * HeadDim;
    public int ValueWidth => KvHeadCount * ValueHeadDim;
}
