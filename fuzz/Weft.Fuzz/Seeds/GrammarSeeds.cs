// GBNF grammars and JSON Schemas of the shapes requests send (llama.cpp's grammars/ folder adds more at run time).
using Weft.Inference.Grammar;

namespace Weft.Fuzz.Seeds;

public static class GrammarSeeds
{
    public static IEnumerable<string> Gbnf()
    {
        yield return Grammar.JsonObject.Source;
        yield return "root ::= (\"yes\" | \"no\") \"\\n\"?\n";
        yield return "root ::= item{1,3} [.]\nitem ::= [a-z0-9_]+ ws\nws ::= [ \\t]*  # comment\n";
        yield return "root ::= \"<\" [^<>\\x00-\\x1F]* \">\" | digit+\ndigit ::= [0-9]\n";
        yield return "root ::= (a b)* c?\na ::= \"\\u00e9\" | [\\U0001F600-\\U0001F64F]\nb ::= ( \"x\" ) {2}\nc ::= .\n";
    }

    public static IEnumerable<string> Schemas()
    {
        yield return """{"type":"object","properties":{"name":{"type":"string","minLength":1,"maxLength":8},"age":{"type":"integer","minimum":0,"maximum":150}},"required":["name"],"additionalProperties":false}""";
        yield return """{"type":"array","items":{"enum":["a","b",1,null]},"minItems":1,"maxItems":3}""";
        yield return """{"$defs":{"n":{"anyOf":[{"type":"number"},{"$ref":"#/$defs/n"}]}},"oneOf":[{"$ref":"#/$defs/n"},{"const":"x"}]}""";
        yield return """{"type":"string","pattern":"^[a-z]{2,4}(-[0-9]+)?$"}""";
        yield return """{"type":"object","properties":{"when":{"type":"string","format":"date-time"},"tags":{"type":"array","items":{"type":"string"},"uniqueItems":true}},"additionalProperties":{"type":"boolean"}}""";
        yield return """{"type":["integer","null"],"exclusiveMinimum":-10,"multipleOf":2}""";
    }
}
