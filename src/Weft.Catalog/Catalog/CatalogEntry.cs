// One model of the built-in catalog, as its YAML data file spells it (snake_case keys; every fact carries its source URL).
namespace Weft.Catalog.Catalog;

/// <summary>A catalog entry: what a person needs to choose a model.</summary>
public sealed class CatalogEntry
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Publisher { get; set; }
    /// <summary>Model family (llama2, mistral, falcon, olmo, ...).</summary>
    public string Family { get; set; } = "";
    /// <summary>GGUF general.architecture.</summary>
    public string Architecture { get; set; } = "";
    public long Parameters { get; set; }
    /// <summary>Trained context length, in tokens.</summary>
    public long Context { get; set; }
    /// <summary>Layers, KV heads and head width: the KV cache is 2 × layers × kv_heads × head_dim values per token.</summary>
    public int Layers { get; set; }
    public int KvHeads { get; set; }
    public int HeadDim { get; set; }
    public CatalogLicense License { get; set; } = new();
    /// <summary>Id of the catalog entry this one derives from, or null for a base model.</summary>
    public string? Base { get; set; }
    /// <summary>finetune, adapter, quantized or merge (Hugging Face's base_model_relation).</summary>
    public string? Relation { get; set; }
    public List<string> Tasks { get; set; } = [];
    public List<string> Languages { get; set; } = [];
    /// <summary>Hugging Face repository of the original weights (owner/name).</summary>
    public string? HfRepo { get; set; }
    /// <summary>Where the facts of this entry come from.</summary>
    public string Source { get; set; } = "";
    public string? Description { get; set; }
    public CatalogOpenness Openness { get; set; } = new();
    public List<BenchmarkScore> Scores { get; set; } = [];
    public GgufLocation? Gguf { get; set; }

    /// <summary>KV cache bytes per token at F16.</summary>
    public long KvBytesPerToken => 2L * Layers * KvHeads * HeadDim * 2;
}

/// <summary>A licence: SPDX id or name + link, whether commercial use is allowed, and where that is stated.</summary>
public sealed class CatalogLicense
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? Link { get; set; }
    public bool Commercial { get; set; }
    public string? Source { get; set; }
    public string Display => Id ?? Name ?? "unknown";
}

/// <summary>Evidence for the five components of a fully open model.</summary>
public sealed class CatalogOpenness
{
    public Evidence TrainingData { get; set; } = new();
    public Evidence Weights { get; set; } = new();
    public Evidence EvalCode { get; set; } = new();
    public Evidence FinetuneCode { get; set; } = new();
    public Evidence TrainingMetrics { get; set; } = new();
}

/// <summary>One component's evidence: declared (with a link), absent (with a link saying so) or unknown.</summary>
public sealed class Evidence
{
    public string Status { get; set; } = "unknown";
    public string? Source { get; set; }
    public string? Note { get; set; }
}

/// <summary>A published benchmark score and where it was published.</summary>
public sealed class BenchmarkScore
{
    public string Benchmark { get; set; } = "";
    public double Value { get; set; }
    public string? Setting { get; set; }
    public string Source { get; set; } = "";
}

/// <summary>Where GGUF files of the model live on the Hugging Face Hub.</summary>
public sealed class GgufLocation
{
    public string Repo { get; set; } = "";
    public List<GgufFileEntry> Files { get; set; } = [];
}

/// <summary>One GGUF file: its quant type, name and size as the repository lists it (GB = 10^9 bytes), when known.</summary>
public sealed class GgufFileEntry
{
    public string Quant { get; set; } = "";
    public string File { get; set; } = "";
    public double? Gb { get; set; }
}
