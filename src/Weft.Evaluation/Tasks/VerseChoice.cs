// Derived multiple-choice items from verses: a verse's first half of words, its true second half and the second
// halves of three other verses, drawn and placed deterministically (SplitMix64 of seed and item).
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Weft.Evaluation.Tasks;

public static class VerseChoice
{
    public const int Choices = 4;
    private const int MinWords = 6; // shorter verses have no ending worth telling apart

    public static List<JsonElement> Build(IReadOnlyList<JsonElement> verses, ulong seed)
    {
        var halves = new List<(string Start, string End, string Ref)>();
        foreach (var v in verses)
        {
            string text = v.TryGetProperty("text", out var t) ? t.GetString() ?? "" : "";
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < MinWords) continue;
            int cut = words.Length / 2;
            string reference = v.TryGetProperty("ref", out var r) ? r.GetString() ?? "" : "";
            halves.Add((string.Join(' ', words[..cut]), string.Join(' ', words[cut..]), reference));
        }
        var docs = new List<JsonElement>(halves.Count);
        if (halves.Count < Choices) return docs;
        for (int i = 0; i < halves.Count; i++)
        {
            ulong state = seed ^ ((ulong)i * 0x9E3779B97F4A7C15UL);
            var others = new List<int>();
            while (others.Count < Choices - 1)
            {
                int j = (int)(Next(ref state) % (ulong)halves.Count);
                if (j != i && !others.Contains(j) && halves[j].End != halves[i].End) others.Add(j);
            }
            int gold = (int)(Next(ref state) % Choices);
            var endings = new JsonArray();
            for (int c = 0, o = 0; c < Choices; c++) endings.Add(c == gold ? halves[i].End : halves[others[o++]].End);
            var doc = new JsonObject
            {
                ["ref"] = halves[i].Ref,
                ["start"] = halves[i].Start,
                ["endings"] = endings,
                ["label"] = gold,
            };
            docs.Add(JsonSerializer.SerializeToElement(doc));
        }
        return docs;
    }

    private static ulong Next(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
