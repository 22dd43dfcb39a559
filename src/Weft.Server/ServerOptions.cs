// Settings of `weft serve`; defaults are safe (loopback only).
namespace Weft.Server;

public sealed record ServerOptions
{
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; } = 8080;
    public string ModelsDirectory { get; init; } = DefaultModelsDirectory;
    /// <summary>When set, every /v1 call needs "Authorization: Bearer KEY".</summary>
    public string? ApiKey { get; init; }
    /// <summary>Largest context a request may ask for; 0 means the model's own (at most 4096).</summary>
    public int ContextSize { get; init; }
    /// <summary>Slots per model: requests decoded together (one KV cache each, one batched forward pass per step);
    /// 0: as many as <see cref="Hosting.ModelPool.AutoSlots"/> finds room for (what `weft serve` does unless told).</summary>
    public int Parallel { get; init; } = 1;
    /// <summary>Requests that may wait per model before new ones get 429.</summary>
    public int QueueLimit { get; init; } = 64;
    /// <summary>Bytes of model files kept loaded; least recently used ones are evicted beyond it. 0: no limit.</summary>
    public long MemoryBudget { get; init; }
    public int Threads { get; init; } = Weft.Tensors.Threading.WorkerPool.DefaultThreadCount;
    /// <summary>LoRA adapters applied at inference to every model they fit (architecture and tensor shapes); the
    /// server refuses to start when one fits none of the models.</summary>
    public IReadOnlyList<Weft.Models.Adapters.LoraSpec> Adapters { get; init; } = [];
    /// <summary>Adapters offered as models of their own: every model an adapter fits is also served as
    /// ID+STEM[@SCALE] (STEM: the adapter's file name without .gguf) with it applied, beside the plain model, so a base
    /// and its adapted self can be compared; the server refuses to start when one fits none of the models.</summary>
    public IReadOnlyList<Weft.Models.Adapters.LoraSpec> AdapterVariants { get; init; } = [];

    /// <summary>Origins whose web pages may call this server from a browser (CORS; "*" for any). Empty: none, the
    /// default (the server's own pages need no CORS).</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>Largest request body in bytes.</summary>
    public long MaxRequestBytes { get; init; } = 8 << 20;

    /// <summary>Pull caches: their models are offered after the models folder's, and the catalog page's pulls go there.
    /// Null: neither (tests, and `weft serve --no-pulled`).</summary>
    public Weft.Catalog.Hub.HubOptions? Hub { get; init; }

    /// <summary>Where evaluations started from the catalog page look for task data files; null: `weft eval`'s folders
    /// (~/.weft/data, then the working folder). They never download.</summary>
    public IReadOnlyList<string>? EvalDataFolders { get; init; }

    /// <summary>Folder of the chat page's database (weft.db: conversations and assistants); created on first use.</summary>
    public string DataDirectory { get; init; } = DefaultDataDirectory;

    /// <summary>Remote endpoints served through the gateway (docs/gateway.md); null: endpoints.yaml in
    /// <see cref="DataDirectory"/> when there. The file is read again whenever it changes.</summary>
    public string? EndpointsFile { get; init; }

    public static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".weft");

    public static string DefaultModelsDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".weft", "models");
}
