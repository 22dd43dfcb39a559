// Statement nodes of the template syntax tree (text, output, if, for, set, macro, call, filter, loop controls).
namespace Weft.Inference.Templates;

internal abstract record Stmt(int Line);

internal sealed record TextStmt(int Line, string Text) : Stmt(Line);
internal sealed record OutputStmt(int Line, Expr Value) : Stmt(Line);
internal sealed record IfStmt(int Line, List<(Expr Test, List<Stmt> Body)> Branches, List<Stmt>? Else) : Stmt(Line);
internal sealed record ForStmt(int Line, List<string> Targets, bool Unpack, Expr Iterable, Expr? Filter, List<Stmt> Body, List<Stmt>? Else, bool Recursive) : Stmt(Line);
/// <summary>`set target = value`; target is a name, a tuple of names, or `ns.attr`.</summary>
internal sealed record SetStmt(int Line, Expr Target, Expr Value) : Stmt(Line);
internal sealed record SetBlockStmt(int Line, string Name, List<FilterExpr> Filters, List<Stmt> Body) : Stmt(Line);
internal sealed record MacroParam(string Name, Expr? Default);
internal sealed record MacroStmt(int Line, string Name, List<MacroParam> Params, List<Stmt> Body) : Stmt(Line);
internal sealed record CallBlockStmt(int Line, CallExpr Call, List<MacroParam> CallerParams, List<Stmt> Body) : Stmt(Line);
internal sealed record FilterBlockStmt(int Line, List<FilterExpr> Filters, List<Stmt> Body) : Stmt(Line);
internal sealed record WithStmt(int Line, List<(string Name, Expr Value)> Assignments, List<Stmt> Body) : Stmt(Line);
internal sealed record BreakStmt(int Line) : Stmt(Line);
internal sealed record ContinueStmt(int Line) : Stmt(Line);
/// <summary>transformers' `{% generation %}` marks the assistant's part for masks; rendering just renders the body.</summary>
internal sealed record BodyStmt(int Line, List<Stmt> Body) : Stmt(Line);
