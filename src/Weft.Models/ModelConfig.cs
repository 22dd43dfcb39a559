// Architecture-neutral hyperparameters of a decoder-only transformer; architectures differ only in these values.
using Weft.Tensors.Kernels;

namespace Weft.Models;

public enum NormKind { Rms, Layer }

/// <summary>The feed-forward's activation; with a gate it multiplies the up projection (SwiGLU, GeGLU).</summary>
public enum FfnActivation { Silu, GeluTanh }

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
    /// <summary>Which layers slide: 0 means every layer (when <see cref="SlidingWindow"/> is set); n means layer l slides when l % n &lt; n - 1 (gemma2: n = 2, even layers).</summary>
    public int SlidingWindowPattern { get; init; }
    /// <summary>Attention scores become cap·tanh(score / cap) before the softmax; 0 means no capping (gemma2).</summary>
    public float AttentionSoftCap { get; init; }
    /// <summary>Logits become cap·tanh(logit / cap); 0 means no capping (gemma2).</summary>
    public float FinalSoftCap { get; init; }
    /// <summary>Token embeddings are multiplied by this before the first layer (gemma2: sqrt(n_embd)).</summary>
    public float EmbeddingScale { get; init; } = 1f;
    /// <summary>Q, K and V are clamped to ±this after their projection; 0 means no clamping (olmo).</summary>
    public float ClampKqv { get; init; }
    /// <summary>Gate and up projections multiplied (SwiGLU/GeGLU), or one up projection then the activation (falcon).</summary>
    public bool GatedFfn { get; init; } = true;
    public FfnActivation Activation { get; init; } = FfnActivation.Silu;
    /// <summary>Attention and feed-forward both read the same normalised input and add to the residual together (falcon).</summary>
    public bool ParallelResidual { get; init; }

    public bool IsSlidingLayer(int layer) =>
        SlidingWindow > 0 && (SlidingWindowPattern == 0 || layer % SlidingWindowPattern < SlidingWindowPattern - 1);

    public int QueryWidth => HeadCount * HeadDim;
    public int KeyWidth => KvHeadCount * HeadDim;
    public int ValueWidth => KvHeadCount * ValueHeadDim;
}
