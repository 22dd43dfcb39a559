// A compiled grammar: every rule as alternatives of flat element sequences (terminals and rule references), with
// groups and repetitions turned into rules of their own. Immutable; one may be shared by any number of requests.
namespace Weft.Inference.Grammar;

public sealed class Grammar
{
    internal const byte KindEnd = 0, KindChars = 1, KindRule = 2;

    /// <summary>[element] the element's kind: end of an alternative, a terminal, a rule reference.</summary>
    internal byte[] Kinds { get; }
    /// <summary>[element] the terminal's index in <see cref="Sets"/>, or the referenced rule.</summary>
    internal int[] Args { get; }
    /// <summary>[rule][alternative] the index of the alternative's first element.</summary>
    internal int[][] Alternatives { get; }
    internal CharSet[] Sets { get; }
    internal int Root { get; }

    /// <summary>The GBNF text this grammar was compiled from.</summary>
    public string Source { get; }

    /// <summary>Rule count after compilation (groups and repetitions add rules).</summary>
    public int RuleCount => Alternatives.Length;

    internal Grammar(byte[] kinds, int[] args, int[][] alternatives, CharSet[] sets, int root, string source)
    {
        Kinds = kinds;
        Args = args;
        Alternatives = alternatives;
        Sets = sets;
        Root = root;
        Source = source;
    }

    /// <summary>Compiles GBNF text (llama.cpp's syntax; <c>root</c> is the start rule). Throws
    /// <see cref="GrammarException"/> naming the line and column of what is wrong.</summary>
    public static Grammar Parse(string gbnf) => GrammarCompiler.Compile(GbnfParser.Parse(gbnf), gbnf);

    /// <summary>The grammar of instances of a JSON Schema (text). Throws <see cref="GrammarException"/> naming any
    /// keyword it cannot enforce.</summary>
    public static Grammar FromJsonSchema(string schema) => Parse(JsonSchemaGrammar.ToGbnf(schema));

    /// <summary>Any JSON object (OpenAI's <c>json_object</c> response format, Ollama's <c>format: "json"</c>).</summary>
    public static Grammar JsonObject => s_jsonObject ??= Parse(JsonSchemaGrammar.AnyObjectGbnf);

    private static Grammar? s_jsonObject;

    /// <summary>A matcher at the start of the grammar.</summary>
    public GrammarMatcher CreateMatcher() => new(new GrammarStacks(this));

    /// <summary>Whether the whole of <paramref name="text"/> is a sentence of the grammar.</summary>
    public bool Matches(string text)
    {
        var m = CreateMatcher();
        return m.Accept(text) && m.IsComplete;
    }
}
