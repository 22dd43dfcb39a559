// The parsed form of a GBNF text, before compilation: expressions per rule, with where each came from.
namespace Weft.Inference.Grammar;

internal abstract record GrammarExpr(int Line, int Column);

internal sealed record AltExpr(IReadOnlyList<GrammarExpr> Options, int Line, int Column) : GrammarExpr(Line, Column);

internal sealed record SeqExpr(IReadOnlyList<GrammarExpr> Items, int Line, int Column) : GrammarExpr(Line, Column);

internal sealed record CharsExpr(CharSet Set, int Line, int Column) : GrammarExpr(Line, Column);

internal sealed record RefExpr(string Name, int Line, int Column) : GrammarExpr(Line, Column);

/// <summary><see cref="Max"/> is -1 for no upper bound.</summary>
internal sealed record RepeatExpr(GrammarExpr Item, int Min, int Max, int Line, int Column) : GrammarExpr(Line, Column);

internal sealed record RuleDefinition(string Name, GrammarExpr Body, int Line, int Column);
