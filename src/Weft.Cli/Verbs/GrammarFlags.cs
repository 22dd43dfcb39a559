// --grammar-file FILE (GBNF) and --json-schema FILE: constrain what run and chat generate (docs/structured-output.md).
using System.CommandLine;
using Weft.Inference.Grammar;

namespace Weft.Cli.Verbs;

internal sealed class GrammarFlags
{
    private readonly Option<string> _grammar = new("--grammar-file") { Description = "constrain the output to this GBNF grammar (llama.cpp's syntax; rule 'root' starts)" };
    private readonly Option<string> _schema = new("--json-schema") { Description = "constrain the output to JSON that validates against this JSON Schema file" };

    public void AddTo(Command cmd)
    {
        cmd.Add(_grammar);
        cmd.Add(_schema);
    }

    /// <summary>The compiled grammar, or null when neither flag is given.</summary>
    public Grammar? Read(ParseResult r)
    {
        string? gbnf = r.GetValue(_grammar), schema = r.GetValue(_schema);
        if (gbnf != null && schema != null) throw new UsageException("give at most one of --grammar-file and --json-schema");
        string? path = gbnf ?? schema;
        if (path == null) return null;
        string text = File.ReadAllText(path);
        try
        {
            return gbnf != null ? Grammar.Parse(text) : Grammar.FromJsonSchema(text);
        }
        catch (GrammarException e)
        {
            throw new GrammarException($"{path}: {e.Message}", e);
        }
    }
}
