// Settings of the in-process model behind AddWeftChatClient: threads, concurrent requests, context.
namespace Weft.Extensions.AI;

/// <summary>How the model registered by <see cref="WeftServiceCollectionExtensions.AddWeftChatClient"/> runs.</summary>
public sealed class WeftClientOptions
{
    /// <summary>Worker threads of the matrix products; default: one per processor.</summary>
    public int Threads { get; set; } = Weft.Tensors.Threading.WorkerPool.DefaultThreadCount;

    /// <summary>Requests decoded together (one KV cache each, one batched forward pass per step); default 1.</summary>
    public int Parallel { get; set; } = 1;

    /// <summary>Largest context of a request in tokens; 0: the model's own (at most 4096).</summary>
    public int ContextSize { get; set; }

    /// <summary>Requests that may wait for a slot before a call fails; default 64.</summary>
    public int QueueLimit { get; set; } = 64;
}
