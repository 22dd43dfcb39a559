// Few-shot contexts as lm-evaluation-harness builds them: description, then shots joined by the few-shot delimiter,
// then the document's own text. Shots are drawn per item from a generator seeded by (seed, item), never the item itself.
using System.Text;
using System.Text.Json;
using Weft.Evaluation.Tasks;

namespace Weft.Evaluation.Scoring;

public sealed class FewShot(TaskDefinition task, DocTemplates templates, IReadOnlyList<JsonElement> docs)
{
    /// <summary>The documents used as shots for item <paramref name="index"/> (num_fewshot of them, seeded).</summary>
    public IReadOnlyList<int> ShotsFor(int index)
    {
        int k = Math.Min(task.NumFewshot, docs.Count - 1);
        if (k <= 0) return [];
        var rng = new Random(HashCode.Combine(task.FewshotSeed, index) & int.MaxValue);
        var picked = new List<int>(k + 1);
        var seen = new HashSet<int>();
        while (picked.Count < k + 1 && seen.Count < docs.Count)
        {
            int j = rng.Next(docs.Count);
            if (seen.Add(j)) picked.Add(j);
        }
        picked.Remove(index);
        return picked.Take(k).ToArray();
    }

    /// <summary>description + shots + fewshot_delimiter, the part of the context before the document's own text.</summary>
    public string Prefix(int index)
    {
        var sb = new StringBuilder(templates.Description(docs[index]));
        foreach (int s in ShotsFor(index))
        {
            sb.Append(Solved(docs[s]));
            sb.Append(task.FewshotDelimiter);
        }
        return sb.ToString();
    }

    /// <summary>A shot: its text, the target delimiter and its answer (for choices over contexts, the right context and
    /// the continuation).</summary>
    private string Solved(JsonElement doc)
    {
        var choices = templates.Choices(doc);
        var (gold, answer) = templates.Target(doc, choices);
        if (task.DocToContinuation != null && gold >= 0)
            return choices[gold] + task.TargetDelimiter + templates.Continuation(doc);
        return templates.Text(doc) + task.TargetDelimiter + answer;
    }
}
