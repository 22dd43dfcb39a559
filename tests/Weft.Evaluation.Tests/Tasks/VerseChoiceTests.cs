// kjv-verse-choice items: deterministic for a seed, the true ending at the label, four different endings.
using System.Text.Json;
using System.Text.Json.Nodes;
using Weft.Evaluation.Tasks;

namespace Weft.Evaluation.Tests.Tasks;

public sealed class VerseChoiceTests
{
    private static List<JsonElement> Verses(int n, int seed)
    {
        var rng = new Random(seed);
        string[] words = ["and", "the", "lord", "said", "unto", "him", "go", "thou", "into", "land", "of", "thy", "fathers", "people"];
        return Enumerable.Range(0, n).Select(i => JsonSerializer.SerializeToElement(new JsonObject
        {
            ["ref"] = $"Ruth1:{i + 1}",
            ["text"] = string.Join(' ', Enumerable.Range(0, 6 + rng.Next(12)).Select(_ => words[rng.Next(words.Length)])) + $" {i}.",
        })).ToList();
    }

    [Fact]
    public void Items_are_deterministic_and_hold_the_true_ending_at_the_label()
    {
        int seed = Environment.TickCount;
        var verses = Verses(50, seed);
        var a = VerseChoice.Build(verses, 1234);
        var b = VerseChoice.Build(verses, 1234);
        Assert.Equal(a.Select(x => x.GetRawText()), b.Select(x => x.GetRawText()));
        var c = VerseChoice.Build(verses, 99);
        Assert.NotEqual(a.Select(x => x.GetRawText()), c.Select(x => x.GetRawText()));
        var labels = new int[VerseChoice.Choices];
        for (int i = 0; i < a.Count; i++)
        {
            var doc = a[i];
            var endings = doc.GetProperty("endings").EnumerateArray().Select(e => e.GetString()!).ToArray();
            Assert.Equal(VerseChoice.Choices, endings.Distinct().Count());
            int label = doc.GetProperty("label").GetInt32();
            labels[label]++;
            string verse = verses[i].GetProperty("text").GetString()!;
            Assert.Equal(verse, doc.GetProperty("start").GetString() + " " + endings[label]);
        }
        Assert.All(labels, n => Assert.True(n > 0, $"seed {seed}: labels {string.Join(',', labels)}"));
    }
}
