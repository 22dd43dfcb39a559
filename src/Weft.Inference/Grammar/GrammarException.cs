// The one failure of the grammar domain: a GBNF text or a JSON Schema that cannot be compiled or enforced.
namespace Weft.Inference.Grammar;

/// <summary>
/// A grammar or schema that cannot be used. <see cref="Line"/> and <see cref="Column"/> (1-based) say where in a GBNF
/// text; <see cref="Keyword"/> names the JSON Schema keyword that cannot be enforced. Both are in the message.
/// </summary>
public sealed class GrammarException : Exception
{
    public GrammarException(string message) : base(message) { }

    public GrammarException(string message, Exception inner) : base(message, inner) { }

    public GrammarException(string message, int line, int column) : base($"grammar line {line}, column {column}: {message}")
    {
        Line = line;
        Column = column;
    }

    private GrammarException(string message, string keyword) : base(message) => Keyword = keyword;

    public GrammarException() { }

    public int? Line { get; }
    public int? Column { get; }
    public string? Keyword { get; }

    /// <summary>A JSON Schema keyword (or keyword value) this implementation cannot enforce.</summary>
    public static GrammarException Unsupported(string keyword, string path, string? detail = null) =>
        new($"JSON Schema keyword '{keyword}' at {path} is not supported{(detail == null ? "" : ": " + detail)}", keyword);
}
