// Reads a card from a Hugging Face checkpoint folder: README.md front matter and config.json.
using System.Text.Json;

namespace Weft.Catalog.Cards;

/// <summary>Builds a <see cref="ModelCard"/> from a checkpoint folder.</summary>
public static class FolderCardReader
{
    public static ModelCard Read(string folder)
    {
        string readme = Path.Combine(folder, "README.md");
        var fm = File.Exists(readme) ? FrontMatter.Read(readme) : null;
        string? arch = null;
        long? context = null;
        string config = Path.Combine(folder, "config.json");
        if (File.Exists(config))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(config));
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new CatalogException($"{config}: not a JSON object");
                if (root.TryGetProperty("model_type", out var mt) && mt.ValueKind == JsonValueKind.String) arch = mt.GetString();
                foreach (var key in (string[])["max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"])
                    if (context == null && root.TryGetProperty(key, out var c) && c.TryGetInt64(out long n)) context = n;
            }
            catch (JsonException e)
            {
                throw new CatalogException($"{config}:{e.LineNumber + 1}: malformed JSON: {e.Message}", e);
            }
        }
        var weights = Directory.EnumerateFiles(folder).Where(f => f.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
            || f.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)).ToList();
        string? lic = fm == null ? null : FrontMatter.Scalar(fm, "license");
        string? licName = fm == null ? null : FrontMatter.Scalar(fm, "license_name");
        string? licLink = fm == null ? null : FrontMatter.Scalar(fm, "license_link");
        return new ModelCard
        {
            Source = Path.GetFullPath(folder),
            Kind = "checkpoint",
            Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))),
            License = (lic ?? licName ?? licLink) is null ? null : new LicenseInfo(lic, licName, licLink),
            BaseModels = fm == null ? [] : [.. FrontMatter.List(fm, "base_model").Select(b => new BaseModelRef(b, b.Contains('/') ? b[..b.IndexOf('/')] : null, b.Contains('/') ? "https://huggingface.co/" + b : null))],
            BaseModelRelation = fm == null ? null : FrontMatter.Scalar(fm, "base_model_relation"),
            Datasets = fm == null ? [] : FrontMatter.List(fm, "datasets"),
            Tags = fm == null ? [] : FrontMatter.List(fm, "tags"),
            Languages = fm == null ? [] : FrontMatter.List(fm, "language"),
            Task = fm == null ? null : FrontMatter.Scalar(fm, "pipeline_tag"),
            Architecture = arch,
            Context = context,
            FileBytes = weights.Count == 0 ? null : weights.Sum(f => new FileInfo(f).Length),
            WeightType = null,
        };
    }
}
