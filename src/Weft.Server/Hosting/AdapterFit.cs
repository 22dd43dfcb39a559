// Which of the server's LoRA adapters apply to a model: those whose architecture and tensor shapes fit it.
using Weft.Models.Adapters;
using Weft.Models.Loading;

namespace Weft.Server.Hosting;

public static class AdapterFit
{
    /// <summary>The adapters of <paramref name="adapters"/> that fit the model at <paramref name="modelPath"/>, in order.</summary>
    public static IReadOnlyList<LoraSpec> For(string modelPath, IReadOnlyList<LoraSpec> adapters)
    {
        if (adapters.Count == 0) return [];
        using var source = ModelSource.Open(modelPath);
        var fitting = new List<LoraSpec>();
        foreach (var spec in adapters)
        {
            using var file = LoraAdapterFile.Open(spec.Path);
            if (file.Mismatch(source) == null) fitting.Add(spec);
        }
        return fitting;
    }

    /// <summary>Throws AdapterException naming an adapter that fits none of the catalog's models (with why it fails the first one).</summary>
    public static void CheckEachFitsSomeModel(ModelCatalog catalog, IReadOnlyList<LoraSpec> adapters)
    {
        var models = catalog.List().Where(e => e.Problem == null).ToList();
        foreach (var spec in adapters)
        {
            using var file = LoraAdapterFile.Open(spec.Path);
            string? first = null;
            bool fits = false;
            foreach (var entry in models)
            {
                using var source = ModelSource.Open(entry.Path);
                string? problem = file.Mismatch(source);
                if (problem == null) { fits = true; break; }
                first ??= problem;
            }
            if (!fits)
                throw new AdapterException(models.Count == 0
                    ? $"the adapter {spec.Path} fits no model: {catalog.Directory} holds no models"
                    : $"the adapter {spec.Path} fits none of the {models.Count} models in {catalog.Directory} (for example: {first})");
        }
    }
}
