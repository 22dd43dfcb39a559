// GBNF grammars as requests send them: parsed, compiled, then a matcher fed a short text byte by byte.
using Weft.Inference.Grammar;

namespace Weft.Fuzz.Targets;

public static class GbnfTarget
{
    public static FuzzTarget Target { get; } = new("gbnf", "Grammar.Parse (GbnfParser, GrammarCompiler, GrammarMatcher)", Feed,
        [typeof(GrammarException)]);

    private static void Feed(byte[] data) => GrammarUse.Exercise(Grammar.Parse(Text.Of(data)));
}
