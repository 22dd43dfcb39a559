// What a model says about itself: GGUF general.* metadata, a checkpoint's README front matter and config.json, an adapter's keys.
namespace Weft.Catalog.Cards;

/// <summary>A licence as a model states it: an SPDX (or Hugging Face) id, or a name and a link.</summary>
public sealed record LicenseInfo(string? Id, string? Name = null, string? Link = null)
{
    /// <summary>The id, else the name, else null.</summary>
    public string? Display => Id ?? Name;
}

/// <summary>One model this one was derived from.</summary>
public sealed record BaseModelRef(string Name, string? Organization = null, string? RepoUrl = null);

/// <summary>
/// The card of one model file or folder. Every field is optional: a card says only what its artifact carries.
/// </summary>
public sealed record ModelCard
{
    /// <summary>The file or folder the card was read from.</summary>
    public required string Source { get; init; }
    /// <summary>"gguf", "checkpoint" (a Hugging Face folder) or "adapter" (a LoRA adapter GGUF).</summary>
    public required string Kind { get; init; }
    public string? Name { get; init; }
    public string? Author { get; init; }
    public string? Organization { get; init; }
    public string? Basename { get; init; }
    public string? Finetune { get; init; }
    public string? Version { get; init; }
    public string? SizeLabel { get; init; }
    public string? Description { get; init; }
    public LicenseInfo? License { get; init; }
    public string? Url { get; init; }
    public string? RepoUrl { get; init; }
    public IReadOnlyList<BaseModelRef> BaseModels { get; init; } = [];
    /// <summary>Hugging Face's base_model_relation: finetune, adapter, quantized or merge.</summary>
    public string? BaseModelRelation { get; init; }
    public IReadOnlyList<string> Datasets { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<string> Languages { get; init; } = [];
    /// <summary>The pipeline tag (Hugging Face task), e.g. text-generation.</summary>
    public string? Task { get; init; }
    /// <summary>GGUF general.architecture, or config.json's model_type.</summary>
    public string? Architecture { get; init; }
    public long? Parameters { get; init; }
    /// <summary>Context length the model was trained for, in tokens.</summary>
    public long? Context { get; init; }
    /// <summary>Bytes of the file, or of the folder's weight files.</summary>
    public long? FileBytes { get; init; }
    /// <summary>The weight type (F16, Q4_K_M, BF16, ...), from general.file_type or the tensors.</summary>
    public string? WeightType { get; init; }
    /// <summary>LoRA alpha of an adapter (adapter.lora.alpha).</summary>
    public double? LoraAlpha { get; init; }

    /// <summary>Reads the card of a GGUF file (model or adapter) or of a checkpoint folder.</summary>
    public static ModelCard Read(string path)
    {
        if (Directory.Exists(path)) return FolderCardReader.Read(path);
        if (File.Exists(path)) return GgufCardReader.Read(path);
        throw new CatalogException($"{path}: no such file or folder");
    }
}
