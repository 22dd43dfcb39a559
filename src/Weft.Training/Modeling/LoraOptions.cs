// Which projections get LoRA factors, and their rank, alpha and dropout.
namespace Weft.Training.Modeling;

public enum LoraTarget { Q, K, V, O, Gate, Up, Down }

public sealed record LoraOptions
{
    public int Rank { get; init; } = 8;
    public float Alpha { get; init; } = 16;
    public float Dropout { get; init; }
    public IReadOnlySet<LoraTarget> Targets { get; init; } = new HashSet<LoraTarget> { LoraTarget.Q, LoraTarget.K, LoraTarget.V, LoraTarget.O };
    public int Seed { get; init; } = 1;

    /// <summary>Parses "q,k,v,o,gate,up,down" (also "all").</summary>
    public static IReadOnlySet<LoraTarget> ParseTargets(string text)
    {
        var set = new HashSet<LoraTarget>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (part.ToLowerInvariant())
            {
                case "all": set.UnionWith(Enum.GetValues<LoraTarget>()); break;
                case "q": set.Add(LoraTarget.Q); break;
                case "k": set.Add(LoraTarget.K); break;
                case "v": set.Add(LoraTarget.V); break;
                case "o": set.Add(LoraTarget.O); break;
                case "gate": set.Add(LoraTarget.Gate); break;
                case "up": set.Add(LoraTarget.Up); break;
                case "down": set.Add(LoraTarget.Down); break;
                default: throw new ArgumentException($"unknown LoRA target '{part}' (expected q, k, v, o, gate, up, down or all)");
            }
        }
        if (set.Count == 0) throw new ArgumentException("no LoRA targets given");
        return set;
    }
}
