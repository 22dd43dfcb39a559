// Filters over catalog entries: task, licence, family, size, memory, openness, language, text.
using Weft.Catalog.Openness;

namespace Weft.Catalog.Catalog;

/// <summary>What to keep; every null field keeps everything.</summary>
public sealed record CatalogFilter
{
    public string? Task { get; init; }
    /// <summary>"commercial" keeps entries whose licence allows commercial use; any other value is a licence id or name.</summary>
    public string? License { get; init; }
    public string? Family { get; init; }
    public long? MinParameters { get; init; }
    public long? MaxParameters { get; init; }
    /// <summary>Keep entries whose file at <see cref="Quant"/> plus KV cache fits in this many bytes.</summary>
    public long? RamBytes { get; init; }
    public string Quant { get; init; } = "Q4_K_M";
    /// <summary>Keep entries with at least this many of the five openness components verified or declared.</summary>
    public int? MinOpen { get; init; }
    public string? Language { get; init; }
    /// <summary>Case-insensitive text searched in id, name, publisher, family, description, tasks.</summary>
    public string? Search { get; init; }

    public bool Matches(CatalogEntry e)
    {
        var cmp = StringComparison.OrdinalIgnoreCase;
        if (Task != null && !e.Tasks.Any(t => string.Equals(t, Task, cmp))) return false;
        if (License != null)
        {
            if (string.Equals(License, "commercial", cmp)) { if (!e.License.Commercial) return false; }
            else if (!string.Equals(e.License.Id, License, cmp) && !string.Equals(e.License.Name, License, cmp)) return false;
        }
        if (Family != null && !string.Equals(e.Family, Family, cmp)) return false;
        if (MinParameters is long lo && e.Parameters < lo) return false;
        if (MaxParameters is long hi && e.Parameters > hi) return false;
        if (RamBytes is long ram && (QuantSizes.RunBytes(e, Quant) is not long need || need > ram)) return false;
        if (MinOpen is int n && Scorecard.FromCatalog(e).OpenCount < n) return false;
        if (Language != null && !e.Languages.Any(l => string.Equals(l, Language, cmp))) return false;
        if (Search != null)
        {
            string hay = string.Join(' ', [e.Id, e.Name, e.Publisher, e.Family, e.Description, e.HfRepo, .. e.Tasks]);
            if (!hay.Contains(Search, cmp)) return false;
        }
        return true;
    }

    public IEnumerable<CatalogEntry> Apply(IEnumerable<CatalogEntry> entries) => entries.Where(Matches);
}
