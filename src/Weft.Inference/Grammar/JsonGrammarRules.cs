// GBNF for JSON itself (RFC 8259) and the string formats a schema may ask for. Whitespace between tokens is
// bounded so that a model cannot spin on it forever; numbers have at most 16 integer and 16 fraction digits.
namespace Weft.Inference.Grammar;

internal static class JsonGrammarRules
{
    /// <summary>Whitespace allowed between two JSON tokens (enough for indented output a few levels deep).</summary>
    public const int MaxWhitespace = 24;

    public static readonly IReadOnlyDictionary<string, string> Primitives = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ws"] = $"[ \\t\\n\\r]{{0,{MaxWhitespace}}}",
        ["value"] = "object | array | string | number | boolean | null",
        ["object"] = "\"{\" ws ( string ws \":\" ws value ws ( \",\" ws string ws \":\" ws value ws )* )? \"}\"",
        ["array"] = "\"[\" ws ( value ws ( \",\" ws value ws )* )? \"]\"",
        ["string"] = "\"\\\"\" char* \"\\\"\"",
        // one character of a JSON string: a plain one or an escape (\u escapes never name a lone surrogate)
        ["char"] = "[^\"\\\\\\x00-\\x1F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" ( [0-9a-cA-Ce-fE-F] hex{3} | [dD] [0-7] hex{2} ) )",
        ["hex"] = "[0-9a-fA-F]",
        ["digits-int"] = "\"0\" | [1-9] [0-9]{0,15}",
        ["integer"] = "\"-\"? digits-int",
        ["number"] = "integer ( \".\" [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )?",
        ["boolean"] = "\"true\" | \"false\"",
        ["null"] = "\"null\"",
        ["frac"] = "[0-9]{0,15} [1-9]",
        ["date"] = "[1-9] [0-9]{3} \"-\" ( \"0\" [13578] \"-\" day31 | \"1\" [02] \"-\" day31 | \"0\" [469] \"-\" day30 | \"11-\" day30 | \"02-\" day28 )",
        ["day31"] = "\"0\" [1-9] | [12] [0-9] | \"3\" [01]",
        ["day30"] = "\"0\" [1-9] | [12] [0-9] | \"30\"",
        ["day28"] = "\"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8]",
        ["hour"] = "[01] [0-9] | \"2\" [0-3]",
        ["time"] = "hour \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{1,6} )? ( \"Z\" | [+-] offset )",
        // UTC offsets as they occur (and as .NET parses them): up to 14 hours
        ["offset"] = "( \"0\" [0-9] | \"1\" [0-3] ) \":\" [0-5] [0-9] | \"14:00\"",
        ["date-time"] = "date \"T\" time",
        ["uuid"] = "hex{8} \"-\" hex{4} \"-\" hex{4} \"-\" hex{4} \"-\" hex{12}",
        // dot-separated labels that start and end with a letter or digit; local part under RFC 5321's 64 characters
        ["email"] = "email-label ( \".\" email-label ){0,2} \"@\" domain-label ( \".\" domain-label ){0,2} \".\" [a-zA-Z] [a-zA-Z0-9]{1,20}",
        ["email-label"] = "[a-zA-Z0-9] ( [a-zA-Z0-9_+-]{0,14} [a-zA-Z0-9] )?",
        ["domain-label"] = "[a-zA-Z0-9] ( [a-zA-Z0-9-]{0,30} [a-zA-Z0-9] )?",
    };

    /// <summary>What each rule uses, so that only the needed ones are written.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Uses = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["value"] = ["object", "array", "string", "number", "boolean", "null"],
        ["object"] = ["ws", "string", "value"],
        ["array"] = ["ws", "value"],
        ["string"] = ["char"],
        ["char"] = ["hex"],
        ["integer"] = ["digits-int"],
        ["number"] = ["integer"],
        ["date"] = ["day31", "day30", "day28"],
        ["time"] = ["hour", "offset"],
        ["date-time"] = ["date", "time"],
        ["uuid"] = ["hex"],
        ["email"] = ["email-label", "domain-label"],
    };

    /// <summary>The string formats with a grammar.</summary>
    public static readonly IReadOnlySet<string> Formats = new HashSet<string>(StringComparer.Ordinal) { "date", "time", "date-time", "uuid", "email" };

    /// <summary><paramref name="text"/> as a GBNF string literal.</summary>
    public static string Literal(string text)
    {
        var sb = new System.Text.StringBuilder("\"");
        foreach (var rune in text.EnumerateRunes()) sb.Append(CharSet.Escape(rune.Value));
        return sb.Append('"').ToString();
    }
}
