// JSON Schemas as response_format sends them: compiled to GBNF, then to a grammar, then matched.
using Weft.Inference.Grammar;

namespace Weft.Fuzz.Targets;

public static class JsonSchemaTarget
{
    public static FuzzTarget Target { get; } = new("json-schema", "JsonSchemaGrammar.ToGbnf, Grammar.Parse", Feed,
        [typeof(GrammarException)]);

    private static void Feed(byte[] data) => GrammarUse.Exercise(Grammar.FromJsonSchema(Text.Of(data)));
}
