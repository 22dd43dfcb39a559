// Reads a card from a GGUF file's general.* keys (model or LoRA adapter).
using Weft.Formats;
using Weft.Formats.Gguf;

namespace Weft.Catalog.Cards;

/// <summary>Builds a <see cref="ModelCard"/> from GGUF metadata.</summary>
public static class GgufCardReader
{
    public static ModelCard Read(string path)
    {
        GgufFile file;
        try
        {
            file = GgufFile.Open(path);
        }
        catch (ModelFormatException e)
        {
            throw new CatalogException($"{path}: not a readable GGUF file: {e.Message}", e);
        }
        using (file)
        {
            string? arch = Str(file, GgufKeys.Architecture);
            bool adapter = Str(file, GgufKeys.Type) == "adapter";
            string? weightType = file.TryGet(GgufKeys.FileType, out var ft) && ft.IsInteger ? FileTypeNames.Of(ft.AsInt64(GgufKeys.FileType)) : null;
            weightType ??= file.Tensors.Where(t => t.Shape.Length >= 2).GroupBy(t => t.Type).OrderByDescending(g => g.Sum(t => t.ElementCount))
                .Select(g => g.Key.ToString()).FirstOrDefault();
            string? lic = Str(file, GgufKeys.License), licName = Str(file, GgufKeys.LicenseName), licLink = Str(file, GgufKeys.LicenseLink);
            return new ModelCard
            {
                Source = Path.GetFullPath(path),
                Kind = adapter ? "adapter" : "gguf",
                Name = Str(file, GgufKeys.Name),
                Author = Str(file, GgufKeys.Author),
                Organization = Str(file, GgufKeys.Organization),
                Basename = Str(file, GgufKeys.Basename),
                Finetune = Str(file, GgufKeys.Finetune),
                Version = Str(file, GgufKeys.Version),
                SizeLabel = Str(file, GgufKeys.SizeLabel),
                Description = Str(file, GgufKeys.Description),
                License = (lic ?? licName ?? licLink) is null ? null : new LicenseInfo(lic, licName, licLink),
                Url = Str(file, GgufKeys.Url),
                RepoUrl = Str(file, GgufKeys.RepoUrl),
                BaseModels = BaseModels(file),
                BaseModelRelation = adapter ? "adapter" : null,
                Datasets = Datasets(file),
                Tags = Strings(file, GgufKeys.Tags),
                Languages = Strings(file, GgufKeys.Languages),
                Architecture = arch,
                Parameters = file.Tensors.Sum(t => t.ElementCount),
                Context = arch != null && file.TryGet(GgufKeys.ContextLength(arch), out var c) && c.IsInteger ? c.AsInt64(GgufKeys.ContextLength(arch)) : null,
                FileBytes = file.FileLength,
                WeightType = weightType,
                LoraAlpha = file.TryGet(GgufKeys.LoraAlpha, out var a) && a.IsNumber ? a.AsDouble(GgufKeys.LoraAlpha) : null,
            };
        }
    }

    private static List<BaseModelRef> BaseModels(GgufFile file)
    {
        var list = new List<BaseModelRef>();
        for (int i = 0; i < Count(file, GgufKeys.BaseModelCount); i++)
        {
            string? name = Str(file, GgufKeys.BaseModel(i, "name"));
            string? org = Str(file, GgufKeys.BaseModel(i, "organization"));
            string? repo = Str(file, GgufKeys.BaseModel(i, "repo_url"));
            string? label = name ?? repo;
            if (label != null) list.Add(new BaseModelRef(label, org, repo));
        }
        return list;
    }

    private static List<string> Datasets(GgufFile file)
    {
        var list = new List<string>(Strings(file, GgufKeys.Datasets));
        for (int i = 0; i < Count(file, GgufKeys.DatasetCount); i++)
        {
            string? name = Str(file, GgufKeys.Dataset(i, "name")) ?? Str(file, GgufKeys.Dataset(i, "repo_url"));
            if (name != null && !list.Contains(name)) list.Add(name);
        }
        return list;
    }

    private static long Count(GgufFile file, string key) =>
        file.TryGet(key, out var v) && v.IsInteger ? Math.Clamp(v.AsInt64(key), 0, 1024) : 0;

    private static string? Str(GgufFile file, string key) =>
        file.TryGet(key, out var v) && v.Value is string s && s.Length > 0 ? s : null;

    private static List<string> Strings(GgufFile file, string key)
    {
        if (!file.TryGet(key, out var v)) return [];
        if (v.Value is string s) return [s];
        return v.Value is GgufArray { Items: string[] items } ? [.. items] : [];
    }
}
