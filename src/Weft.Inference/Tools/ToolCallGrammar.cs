// The grammar of a forced call's text after its prefill: the function's name where it is not prefilled, the markers
// of the template's format, and arguments that are instances of the function's parameter schema.
using System.Text;
using System.Text.Json;
using Weft.Inference.Grammar;

namespace Weft.Inference.Tools;

/// <param name="Parameters">the function's JSON schema; null: no parameters</param>
/// <param name="Strict">a schema keyword the grammar cannot enforce is an error, not any JSON object</param>
public sealed record ToolFunctionGrammar(string Name, JsonElement? Parameters, bool Strict = false);

public static class ToolCallGrammar
{
    private const string IdRule = "call-id";

    /// <summary>
    /// The grammar of what the model writes after <see cref="ToolChoice.Prefill"/> for a required or named call
    /// (<paramref name="id"/>: the one the prefill used), or null when the choice forces nothing or the format cannot be
    /// followed (a JSON call whose arguments come before its name). <paramref name="maxCalls"/> above 1 lets further
    /// calls follow a required one. Arguments are instances of their function's schema; a keyword the grammar cannot
    /// enforce throws <see cref="GrammarException"/> for a strict function and allows any JSON object otherwise.
    /// </summary>
    public static Grammar.Grammar? For(ToolCallFormat format, ToolChoice choice, IReadOnlyList<ToolFunctionGrammar> functions, string id, int maxCalls)
    {
        if (choice.Kind is ToolChoiceKind.None or ToolChoiceKind.Auto) return null;
        if (format.Layout == ToolCallLayout.JsonObject && format.Head == null) return null;
        var b = new Builder(format, functions);
        if (choice.Kind == ToolChoiceKind.Named)
        {
            int i = functions.ToList().FindIndex(f => f.Name == choice.Name);
            // a function without parameters had its whole call prefilled: nothing may follow
            if (ToolChoice.ConstrainedArguments(functions[i].Parameters) != null) return b.Build("\"\"");
            return b.Build($"{b.Arguments(i)} {Marker(format.End(id), id)}");
        }
        string first = string.Join(" | ", functions.Select((_, k) => b.Rest(k, id)));
        string more = maxCalls > 1 && b.Separator() is { } sep ? $" ( {sep} ( {string.Join(" | ", functions.Select((_, k) => b.Call(k)))} ) )*" : "";
        return b.Build($"( {first} ){more} {Lit(format.Closing)}");
    }

    /// <summary>GBNF whose root is the arguments' JSON: the schema's instances; "{}" for a function that declares no
    /// properties (what a named call of it prefills).</summary>
    internal static string Arguments(ToolFunctionGrammar f)
    {
        if (ToolChoice.ConstrainedArguments(f.Parameters) is { } only) return "root ::= " + Lit(only) + "\n";
        if (f.Parameters is not { } schema) return JsonSchemaGrammar.AnyObjectGbnf;
        try
        {
            return JsonSchemaGrammar.ToGbnf(schema);
        }
        catch (GrammarException) when (!f.Strict)
        {
            return JsonSchemaGrammar.AnyObjectGbnf;
        }
    }

    /// <summary>A marker's text as a GBNF sequence, its id placeholder as the given id or (id = the id rule) any id.</summary>
    private static string Marker(string text, string id) =>
        id == IdRule
            ? string.Join($" {IdRule} ", text.Split(ToolCallFormat.IdPlaceholder).Select(Lit))
            : Lit(text.Replace(ToolCallFormat.IdPlaceholder, id, StringComparison.Ordinal));

    private static string Lit(string text) => text.Length == 0 ? "\"\"" : JsonGrammarRules.Literal(text);

    private sealed class Builder(ToolCallFormat format, IReadOnlyList<ToolFunctionGrammar> functions)
    {
        private readonly StringBuilder _rules = new();
        private readonly HashSet<int> _added = [];

        /// <summary>The rule of function i's arguments (its schema's grammar, its rules renamed apart).</summary>
        public string Arguments(int i)
        {
            string name = "args" + i;
            if (_added.Add(i)) _rules.Append(GbnfRename.Prefix(ToolCallGrammar.Arguments(functions[i]), name)).Append('\n');
            return name;
        }

        /// <summary>Function i's call from its name on (what a required call's prefill leaves open).</summary>
        public string Rest(int i, string id)
        {
            if (format.Layout == ToolCallLayout.NameThenArguments)
                return $"{Lit(functions[i].Name)} {Marker(format.NameSeparator, id)} {Arguments(i)}";
            string head = format.Head!;
            string afterName = head[(head.IndexOf("{0}", StringComparison.Ordinal) + 3)..];
            return $"{Lit(JsonSerializer.Serialize(functions[i].Name)[1..^1])} {Marker(afterName, id)} {Arguments(i)} {Marker(format.Tail, id)}";
        }

        /// <summary>A further call of function i, from its start, with an id of the model's choosing.</summary>
        public string Call(int i) => format.Layout == ToolCallLayout.JsonObject
            ? $"{Marker(format.Head![..format.Head!.IndexOf("{0}", StringComparison.Ordinal)], IdRule)} {Rest(i, IdRule)}"
            : Rest(i, IdRule);

        /// <summary>What stands between two calls: the template's separator, or a closing and a new opening marker.</summary>
        public string? Separator()
        {
            if (format.Between != null) return Marker(format.Between, IdRule);
            if (format.Opening.Length == 0) return null;
            return $"{Lit(format.Closing)} [ \\n]{{0,2}} {Marker(format.Opening, IdRule)}";
        }

        public Grammar.Grammar Build(string root) =>
            Grammar.Grammar.Parse($"root ::= {root}\n{IdRule} ::= [a-zA-Z0-9]{{9}}\n{_rules}");
    }
}
