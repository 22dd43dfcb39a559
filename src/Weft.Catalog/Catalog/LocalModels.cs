// Models on disk: GGUF files and checkpoint folders under a folder, each with its card and the catalog entry it matches.
using Weft.Catalog.Cards;
using Weft.Catalog.Store;

namespace Weft.Catalog.Catalog;

/// <summary>A model found on disk, linked to a catalog entry when its card matches one; <paramref name="Pulled"/> when it
/// lies in a pull cache.</summary>
public sealed record LocalModel(string Path, ModelCard Card, CatalogEntry? Entry, PulledModel? Pulled = null);

/// <summary>Finds local models.</summary>
public static class LocalModels
{
    /// <summary>GGUF files (not partial downloads) and folders with a config.json, up to three levels below <paramref name="folder"/>.</summary>
    public static IReadOnlyList<LocalModel> Scan(string folder, ModelCatalog? catalog = null)
    {
        catalog ??= ModelCatalog.BuiltIn;
        if (!Directory.Exists(folder)) throw new CatalogException($"{folder}: no such folder");
        var found = new List<LocalModel>();
        Walk(folder, 0, catalog, found);
        return found;
    }

    /// <summary>The pulled models whose files read as GGUF, with their cards (a blob still being written is left out).</summary>
    public static IReadOnlyList<LocalModel> FromPulled(IEnumerable<PulledModel> pulled, ModelCatalog? catalog = null)
    {
        catalog ??= ModelCatalog.BuiltIn;
        var found = new List<LocalModel>();
        foreach (var p in pulled)
        {
            ModelCard card;
            try
            {
                card = GgufCardReader.Read(p.Path);
            }
            catch (CatalogException)
            {
                continue;
            }
            found.Add(new LocalModel(p.Path, card, Match(card, catalog), p));
        }
        return found;
    }

    private static void Walk(string dir, int depth, ModelCatalog catalog, List<LocalModel> found)
    {
        bool checkpoint = File.Exists(System.IO.Path.Combine(dir, "config.json")) && Directory.EnumerateFiles(dir, "*.safetensors").Any();
        if (checkpoint)
        {
            var card = FolderCardReader.Read(dir);
            found.Add(new LocalModel(dir, card, Match(card, catalog)));
        }
        foreach (var f in Directory.EnumerateFiles(dir, "*.gguf").Order(StringComparer.Ordinal))
        {
            ModelCard card;
            try
            {
                card = GgufCardReader.Read(f);
            }
            catch (CatalogException)
            {
                continue; // not a whole GGUF file (a partial download, say): not a model
            }
            found.Add(new LocalModel(f, card, Match(card, catalog)));
        }
        if (depth >= 3) return;
        foreach (var d in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
            if (!System.IO.Path.GetFileName(d).StartsWith('.')) Walk(d, depth + 1, catalog, found);
    }

    /// <summary>The entry whose id, name or Hugging Face repository the card's repo_url, name or basename names.</summary>
    public static CatalogEntry? Match(ModelCard card, ModelCatalog catalog)
    {
        if (card.RepoUrl is { } url)
        {
            string repo = url.Replace("https://huggingface.co/", "", StringComparison.OrdinalIgnoreCase).Trim('/');
            var byRepo = catalog.Entries.FirstOrDefault(e => string.Equals(e.HfRepo, repo, StringComparison.OrdinalIgnoreCase)
                || string.Equals(e.Gguf?.Repo, repo, StringComparison.OrdinalIgnoreCase));
            if (byRepo != null) return byRepo;
        }
        foreach (var name in new[] { card.Name, card.Basename, card.Name?.Replace(' ', '-') })
            if (name != null && catalog.Find(name) is { } e) return e;
        return null;
    }
}
