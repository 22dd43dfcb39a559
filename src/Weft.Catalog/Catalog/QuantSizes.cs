// File size per quant type and memory needed to run: the repository's listed size, else an estimate from the parameters.
using Weft.Catalog.Cards;

namespace Weft.Catalog.Catalog;

/// <summary>The size of one quant type of an entry; <see cref="Estimated"/> when no publisher listed it.</summary>
public sealed record QuantSize(string Quant, long Bytes, bool Estimated, string? File, string? Repo);

/// <summary>Sizes and memory needs of catalog entries.</summary>
public static class QuantSizes
{
    /// <summary>The context used for the KV cache when none is asked: Weft's default, or the model's if shorter.</summary>
    public const long DefaultContext = 4096;

    /// <summary>The size of the entry at <paramref name="quant"/>, or null when neither listed nor estimable.</summary>
    public static QuantSize? Of(CatalogEntry e, string quant)
    {
        var f = e.Gguf?.Files.FirstOrDefault(x => string.Equals(x.Quant, quant, StringComparison.OrdinalIgnoreCase));
        if (f?.Gb is double gb) return new QuantSize(f.Quant, (long)(gb * 1e9), false, f.File, e.Gguf!.Repo);
        if (FileTypeNames.BitsPerWeight(quant) is not double bits) return null;
        return new QuantSize(quant.ToUpperInvariant(), (long)(e.Parameters * bits / 8), true, f?.File, f == null ? null : e.Gguf!.Repo);
    }

    /// <summary>Listed quant types first, then estimates for the usual ones.</summary>
    /// <summary>The types shown beside the listed files: what most people pick, and the file types to compare with.</summary>
    private static readonly string[] Common = ["Q4_K_M", "Q8_0", "F16"];

    public static IEnumerable<QuantSize> All(CatalogEntry e)
    {
        var listed = e.Gguf?.Files.Select(f => f.Quant.ToUpperInvariant()).ToList() ?? [];
        foreach (var q in listed.Concat(Common.Where(q => !listed.Contains(q))))
            if (Of(e, q) is { } s) yield return s;
    }

    /// <summary>KV cache bytes at <paramref name="context"/> tokens (F16 keys and values).</summary>
    public static long KvCacheBytes(CatalogEntry e, long? context = null) =>
        e.KvBytesPerToken * Math.Min(context ?? DefaultContext, e.Context);

    /// <summary>File plus KV cache at the default context: what running at <paramref name="quant"/> needs.</summary>
    public static long? RunBytes(CatalogEntry e, string quant) => Of(e, quant) is { } s ? s.Bytes + KvCacheBytes(e) : null;

    /// <summary>Available memory of this machine (MemAvailable on Linux, else what the runtime reports).</summary>
    public static long FreeRamBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out long kb)) return kb * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        var info = GC.GetGCMemoryInfo();
        return info.TotalAvailableMemoryBytes - info.MemoryLoadBytes;
    }
}
