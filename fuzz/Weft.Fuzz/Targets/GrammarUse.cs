// What the grammar targets do with a compiled grammar: match a few texts byte by byte, as sampling steps do.
using System.Text;
using Weft.Inference.Grammar;

namespace Weft.Fuzz.Targets;

public static class GrammarUse
{
    private static readonly byte[][] Samples =
        [.. new[] { """{"a": [1, -2.5e3, true, null, "x\u00e9"]}""", "yes", "abc123", "\u00e9\u4e2d" }.Select(Encoding.UTF8.GetBytes)];

    public static void Exercise(Grammar grammar)
    {
        foreach (var sample in Samples)
        {
            var m = grammar.CreateMatcher();
            foreach (byte b in sample)
                if (!m.AcceptBytes([b])) break;
            _ = m.IsComplete;
            _ = m.CanContinue;
        }
    }
}
