// The lineage tree of a catalog entry: its base chain up, and fine-tunes, adapters, merges and quantizations down.
namespace Weft.Catalog.Catalog;

/// <summary>A node of a lineage tree: an entry (or a GGUF quantization of one) and how it relates to its parent.</summary>
public sealed record LineageNode(string Id, string Name, string? Relation, IReadOnlyList<LineageNode> Children)
{
    /// <summary>Every node below this one, depth first.</summary>
    public IEnumerable<LineageNode> Descendants() => Children.SelectMany(c => c.Descendants().Prepend(c));
}

/// <summary>Builds lineage trees over a catalog.</summary>
public static class Lineage
{
    /// <summary>The root of <paramref name="id"/>'s family, walking up the bases.</summary>
    public static CatalogEntry Root(ModelCatalog catalog, CatalogEntry e)
    {
        while (e.Base != null) e = catalog.Find(e.Base)!;
        return e;
    }

    /// <summary>The chain from the root base down to <paramref name="e"/>.</summary>
    public static IReadOnlyList<CatalogEntry> Ancestry(ModelCatalog catalog, CatalogEntry e)
    {
        var chain = new List<CatalogEntry> { e };
        while (chain[^1].Base != null) chain.Add(catalog.Find(chain[^1].Base!)!);
        chain.Reverse();
        return chain;
    }

    /// <summary>The tree below <paramref name="e"/>: derived entries, then its GGUF quantizations as leaves.</summary>
    public static LineageNode Tree(ModelCatalog catalog, CatalogEntry e, string? relation = null)
    {
        var children = new List<LineageNode>();
        foreach (var c in catalog.ChildrenOf(e.Id).OrderBy(c => c.Relation).ThenBy(c => c.Id, StringComparer.Ordinal))
            children.Add(Tree(catalog, c, c.Relation));
        if (e.Gguf is { } g)
            foreach (var f in g.Files)
                children.Add(new LineageNode($"{g.Repo}/{f.File}", $"{f.Quant} ({g.Repo})", "quantized", []));
        return new LineageNode(e.Id, e.Name, relation, children);
    }
}
