// The general.* and adapter.* metadata keys a card is read from (llama.cpp's gguf-py constants).
namespace Weft.Catalog.Cards;

/// <summary>GGUF metadata key names used for cards.</summary>
public static class GgufKeys
{
    public const string Architecture = "general.architecture";
    public const string Type = "general.type";
    public const string Name = "general.name";
    public const string Author = "general.author";
    public const string Organization = "general.organization";
    public const string Basename = "general.basename";
    public const string Finetune = "general.finetune";
    public const string Version = "general.version";
    public const string SizeLabel = "general.size_label";
    public const string Description = "general.description";
    public const string License = "general.license";
    public const string LicenseName = "general.license.name";
    public const string LicenseLink = "general.license.link";
    public const string Url = "general.url";
    public const string RepoUrl = "general.repo_url";
    public const string FileType = "general.file_type";
    public const string BaseModelCount = "general.base_model.count";
    public const string DatasetCount = "general.dataset.count";
    public const string Datasets = "general.datasets";
    public const string Tags = "general.tags";
    public const string Languages = "general.languages";
    public const string AdapterType = "adapter.type";
    public const string LoraAlpha = "adapter.lora.alpha";

    public static string BaseModel(int i, string field) => $"general.base_model.{i}.{field}";
    public static string Dataset(int i, string field) => $"general.dataset.{i}.{field}";
    public static string ContextLength(string arch) => $"{arch}.context_length";
}
