// Recursive-descent parser from tokens to statements, following Jinja2's grammar and operator precedence.
namespace Weft.Inference.Templates;

internal sealed class Parser
{
    private const int MaxDepth = 120;
    private readonly List<Token> _t;
    private readonly string? _name;
    private int _i;
    private int _depth;

    private Parser(List<Token> tokens, string? name)
    {
        _t = tokens;
        _name = name;
    }

    public static List<Stmt> Parse(string source, string? name)
    {
        var p = new Parser(Lexer.Tokenize(source, name), name);
        var body = p.ParseBody([]);
        if (p.Cur.Kind != TokenKind.Eof) throw p.Error($"unexpected '{p.Cur.Text}'");
        return body;
    }

    private Token Cur => _t[_i];
    private Token Peek(int k = 1) => _t[Math.Min(_i + k, _t.Count - 1)];
    private Token Next() => _t[_i++];

    private TemplateException Error(string reason, Token? at = null) => new(reason, _name, (at ?? Cur).Line);

    private Token Expect(TokenKind kind, string? text = null)
    {
        var t = Cur;
        if (t.Kind != kind || text != null && t.Text != text)
            throw Error($"expected {(text != null ? $"'{text}'" : kind.ToString().ToLowerInvariant())}, found {Describe(t)}");
        _i++;
        return t;
    }

    private static string Describe(Token t) => t.Kind switch
    {
        TokenKind.Eof => "end of template",
        TokenKind.BlockEnd => "'%}'",
        TokenKind.VarEnd => "'}}'",
        _ => $"'{t.Text}'",
    };

    private bool SkipOp(string op)
    {
        if (!Cur.IsOp(op)) return false;
        _i++;
        return true;
    }

    private bool SkipName(string name)
    {
        if (!Cur.IsName(name)) return false;
        _i++;
        return true;
    }

    // ---- statements ----

    /// <summary>Statements up to a `{% name %}` tag whose name is in <paramref name="ends"/>; stops on that name token.</summary>
    private List<Stmt> ParseBody(string[] ends)
    {
        var body = new List<Stmt>();
        while (true)
        {
            var t = Cur;
            switch (t.Kind)
            {
                case TokenKind.Eof:
                    if (ends.Length > 0) throw Error($"unexpected end of template: missing {string.Join(" or ", ends.Select(e => $"'{{% {e} %}}'"))}");
                    return body;
                case TokenKind.Text:
                    _i++;
                    body.Add(new TextStmt(t.Line, t.Text));
                    break;
                case TokenKind.VarBegin:
                    _i++;
                    var e = ParseTuple(true);
                    Expect(TokenKind.VarEnd);
                    body.Add(new OutputStmt(t.Line, e));
                    break;
                case TokenKind.BlockBegin:
                    if (Peek().Kind == TokenKind.Name && ends.Contains(Peek().Text))
                    {
                        _i++;
                        return body;
                    }
                    _i++;
                    body.Add(ParseStatement());
                    break;
                default:
                    throw Error($"unexpected {Describe(t)}");
            }
        }
    }

    private Stmt ParseStatement()
    {
        var t = Cur;
        if (t.Kind != TokenKind.Name) throw Error($"expected a statement name after '{{%', found {Describe(t)}");
        _i++;
        switch (t.Text)
        {
            case "if": return ParseIf(t.Line);
            case "for": return ParseFor(t.Line);
            case "set": return ParseSet(t.Line);
            case "macro": return ParseMacro(t.Line);
            case "call": return ParseCallBlock(t.Line);
            case "filter": return ParseFilterBlock(t.Line);
            case "with": return ParseWith(t.Line);
            case "break": Expect(TokenKind.BlockEnd); return new BreakStmt(t.Line);
            case "continue": Expect(TokenKind.BlockEnd); return new ContinueStmt(t.Line);
            case "generation":
                {
                    Expect(TokenKind.BlockEnd);
                    var body = ParseBody(["endgeneration"]);
                    EndTag("endgeneration");
                    return new BodyStmt(t.Line, body);
                }
            case "include" or "import" or "from" or "extends" or "block":
                throw Error($"'{t.Text}' is not supported in chat templates (templates are self-contained)", t);
            default:
                throw Error($"unknown tag '{t.Text}'", t);
        }
    }

    private void EndTag(string name)
    {
        Expect(TokenKind.Name, name);
        Expect(TokenKind.BlockEnd);
    }

    private IfStmt ParseIf(int line)
    {
        var branches = new List<(Expr, List<Stmt>)>();
        List<Stmt>? elseBody = null;
        var test = ParseTuple(false);
        while (true)
        {
            Expect(TokenKind.BlockEnd);
            var body = ParseBody(["elif", "else", "endif"]);
            branches.Add((test, body));
            string tag = Next().Text;
            if (tag == "elif") { test = ParseTuple(false); continue; }
            if (tag == "else")
            {
                Expect(TokenKind.BlockEnd);
                elseBody = ParseBody(["endif"]);
                Next();
            }
            Expect(TokenKind.BlockEnd);
            return new IfStmt(line, branches, elseBody);
        }
    }

    private ForStmt ParseFor(int line)
    {
        var (targets, unpack) = ParseNameTargets("in");
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(false, "recursive");
        Expr? filter = SkipName("if") ? ParseExpression() : null;
        bool recursive = SkipName("recursive");
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["else", "endfor"]);
        List<Stmt>? elseBody = null;
        if (Next().Text == "else")
        {
            Expect(TokenKind.BlockEnd);
            elseBody = ParseBody(["endfor"]);
            Next();
        }
        Expect(TokenKind.BlockEnd);
        return new ForStmt(line, targets, unpack, iterable, filter, body, elseBody, recursive);
    }

    private (List<string> Names, bool Unpack) ParseNameTargets(string stopWord)
    {
        bool paren = SkipOp("(");
        var names = new List<string> { Expect(TokenKind.Name).Text };
        bool unpack = paren;
        while (SkipOp(","))
        {
            unpack = true;
            if (Cur.IsName(stopWord) || Cur.IsOp(")") || Cur.IsOp("=")) break;
            names.Add(Expect(TokenKind.Name).Text);
        }
        if (paren) Expect(TokenKind.Op, ")");
        return (names, unpack);
    }

    private Stmt ParseSet(int line)
    {
        Expr target;
        if (Cur.Kind == TokenKind.Name && Peek().IsOp("."))
        {
            var ns = Next();
            _i++;
            target = new AttrExpr(ns.Line, new NameExpr(ns.Line, ns.Text), Expect(TokenKind.Name).Text);
        }
        else
        {
            var (names, unpack) = ParseNameTargets("=");
            target = unpack ? new ListExpr(line, names.Select(n => (Expr)new NameExpr(line, n)).ToList(), true) : new NameExpr(line, names[0]);
        }
        if (SkipOp("="))
        {
            var value = ParseTuple(true);
            Expect(TokenKind.BlockEnd);
            return new SetStmt(line, target, value);
        }
        if (target is not NameExpr name) throw Error("a block set ({% set x %}…{% endset %}) needs a single name");
        var filters = new List<FilterExpr>();
        while (SkipOp("|")) filters.Add(ParseFilter(new LiteralExpr(line, Value.None)));
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endset"]);
        EndTag("endset");
        return new SetBlockStmt(line, name.Name, filters, body);
    }

    private List<MacroParam> ParseParams()
    {
        var ps = new List<MacroParam>();
        Expect(TokenKind.Op, "(");
        while (!Cur.IsOp(")"))
        {
            if (ps.Count > 0) Expect(TokenKind.Op, ",");
            if (Cur.IsOp(")")) break;
            string n = Expect(TokenKind.Name).Text;
            ps.Add(new MacroParam(n, SkipOp("=") ? ParseExpression() : null));
        }
        _i++;
        return ps;
    }

    private MacroStmt ParseMacro(int line)
    {
        string name = Expect(TokenKind.Name).Text;
        var ps = ParseParams();
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endmacro"]);
        EndTag("endmacro");
        return new MacroStmt(line, name, ps, body);
    }

    private CallBlockStmt ParseCallBlock(int line)
    {
        var callerParams = Cur.IsOp("(") ? ParseParams() : [];
        var call = ParseExpression() as CallExpr ?? throw Error("expected a macro call after 'call'");
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endcall"]);
        EndTag("endcall");
        return new CallBlockStmt(line, call, callerParams, body);
    }

    private FilterBlockStmt ParseFilterBlock(int line)
    {
        var filters = new List<FilterExpr> { ParseFilter(new LiteralExpr(line, Value.None)) };
        while (SkipOp("|")) filters.Add(ParseFilter(new LiteralExpr(line, Value.None)));
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endfilter"]);
        EndTag("endfilter");
        return new FilterBlockStmt(line, filters, body);
    }

    private WithStmt ParseWith(int line)
    {
        var assignments = new List<(string, Expr)>();
        while (Cur.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0) Expect(TokenKind.Op, ",");
            string n = Expect(TokenKind.Name).Text;
            Expect(TokenKind.Op, "=");
            assignments.Add((n, ParseExpression()));
        }
        _i++;
        var body = ParseBody(["endwith"]);
        EndTag("endwith");
        return new WithStmt(line, assignments, body);
    }

    // ---- expressions (Jinja2 precedence: condexpr < or < and < not < compare < + - < ~ < * / // % < ** < unary < postfix/filters) ----

    private Expr ParseTuple(bool withCondExpr, string? extraEnd = null)
    {
        int line = Cur.Line;
        var items = new List<Expr>();
        bool comma = false;
        while (true)
        {
            if (items.Count > 0)
            {
                if (!SkipOp(",")) break;
                comma = true;
            }
            if (Cur.Kind is TokenKind.VarEnd or TokenKind.BlockEnd || Cur.IsOp(")") || extraEnd != null && Cur.IsName(extraEnd)
                || Cur.IsName("if") && !withCondExpr)
                break;
            items.Add(withCondExpr ? ParseExpression() : ParseOr());
        }
        if (!comma)
        {
            if (items.Count == 0) throw Error($"expected an expression, found {Describe(Cur)}");
            return items[0];
        }
        return new ListExpr(line, items, true);
    }

    private Expr ParseExpression()
    {
        if (++_depth > MaxDepth) throw Error("expression nested too deeply");
        try
        {
            var e = ParseOr();
            while (Cur.IsName("if"))
            {
                int line = Next().Line;
                var test = ParseOr();
                Expr? other = SkipName("else") ? ParseExpression() : null;
                e = new CondExpr(line, test, e, other);
            }
            return e;
        }
        finally { _depth--; }
    }

    private Expr ParseOr()
    {
        var e = ParseAnd();
        while (Cur.IsName("or")) { int l = Next().Line; e = new BinaryExpr(l, "or", e, ParseAnd()); }
        return e;
    }

    private Expr ParseAnd()
    {
        var e = ParseNot();
        while (Cur.IsName("and")) { int l = Next().Line; e = new BinaryExpr(l, "and", e, ParseNot()); }
        return e;
    }

    private Expr ParseNot()
    {
        if (Cur.IsName("not"))
        {
            int l = Next().Line;
            if (++_depth > MaxDepth) throw Error("expression nested too deeply");
            try { return new UnaryExpr(l, "not", ParseNot()); }
            finally { _depth--; }
        }
        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        int line = Cur.Line;
        var first = ParseMath1();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            if (Cur.Kind == TokenKind.Op && Cur.Text is "==" or "!=" or "<" or ">" or "<=" or ">=") rest.Add((Next().Text, ParseMath1()));
            else if (Cur.IsName("in")) { _i++; rest.Add(("in", ParseMath1())); }
            else if (Cur.IsName("not") && Peek().IsName("in")) { _i += 2; rest.Add(("notin", ParseMath1())); }
            else break;
        }
        return rest.Count == 0 ? first : new CompareExpr(line, first, rest);
    }

    private Expr ParseMath1()
    {
        var e = ParseConcat();
        while (Cur.IsOp("+") || Cur.IsOp("-")) { var t = Next(); e = new BinaryExpr(t.Line, t.Text, e, ParseConcat()); }
        return e;
    }

    private Expr ParseConcat()
    {
        var e = ParseMath2();
        while (Cur.IsOp("~")) { var t = Next(); e = new BinaryExpr(t.Line, "~", e, ParseMath2()); }
        return e;
    }

    private Expr ParseMath2()
    {
        var e = ParsePow();
        while (Cur.Kind == TokenKind.Op && Cur.Text is "*" or "/" or "//" or "%") { var t = Next(); e = new BinaryExpr(t.Line, t.Text, e, ParsePow()); }
        return e;
    }

    private Expr ParsePow()
    {
        var e = ParseUnary(true);
        while (Cur.IsOp("**")) { var t = Next(); e = new BinaryExpr(t.Line, "**", e, ParseUnary(true)); }
        return e;
    }

    private Expr ParseUnary(bool withFilter)
    {
        if (++_depth > MaxDepth) throw Error("expression nested too deeply");
        try
        {
            Expr e;
            if (Cur.IsOp("-") || Cur.IsOp("+"))
            {
                var t = Next();
                e = new UnaryExpr(t.Line, t.Text, ParseUnary(false));
            }
            else e = ParsePrimary();
            e = ParsePostfix(e);
            return withFilter ? ParseFilterChain(e) : e;
        }
        finally { _depth--; }
    }

    private Expr ParsePrimary()
    {
        var t = Cur;
        switch (t.Kind)
        {
            case TokenKind.Name:
                _i++;
                return t.Text switch
                {
                    "true" or "True" => new LiteralExpr(t.Line, Value.True),
                    "false" or "False" => new LiteralExpr(t.Line, Value.False),
                    "none" or "None" => new LiteralExpr(t.Line, Value.None),
                    _ => new NameExpr(t.Line, t.Text),
                };
            case TokenKind.String:
                {
                    _i++;
                    string s = t.Text;
                    while (Cur.Kind == TokenKind.String) s += Next().Text;
                    return new LiteralExpr(t.Line, Value.Of(s));
                }
            case TokenKind.Int or TokenKind.Float:
                _i++;
                return new LiteralExpr(t.Line, t.Literal!);
            case TokenKind.Op when t.Text == "(":
                {
                    _i++;
                    if (SkipOp(")")) return new ListExpr(t.Line, [], true);
                    var e = ParseTuple(true);
                    Expect(TokenKind.Op, ")");
                    return e;
                }
            case TokenKind.Op when t.Text == "[":
                {
                    _i++;
                    var items = new List<Expr>();
                    while (!Cur.IsOp("]"))
                    {
                        if (items.Count > 0) Expect(TokenKind.Op, ",");
                        if (Cur.IsOp("]")) break;
                        items.Add(ParseExpression());
                    }
                    _i++;
                    return new ListExpr(t.Line, items, false);
                }
            case TokenKind.Op when t.Text == "{":
                {
                    _i++;
                    var pairs = new List<(Expr, Expr)>();
                    while (!Cur.IsOp("}"))
                    {
                        if (pairs.Count > 0) Expect(TokenKind.Op, ",");
                        if (Cur.IsOp("}")) break;
                        var k = ParseExpression();
                        Expect(TokenKind.Op, ":");
                        pairs.Add((k, ParseExpression()));
                    }
                    _i++;
                    return new DictExpr(t.Line, pairs);
                }
            default:
                throw Error($"unexpected {Describe(t)}");
        }
    }

    private Expr ParsePostfix(Expr e)
    {
        while (true)
        {
            if (Cur.IsOp(".") || Cur.IsOp("[")) e = ParseSubscript(e);
            else if (Cur.IsOp("(")) e = ParseCall(e);
            else return e;
        }
    }

    private Expr ParseFilterChain(Expr e)
    {
        while (true)
        {
            if (Cur.IsOp("|")) { _i++; e = ParseFilter(e); }
            else if (Cur.IsName("is")) e = ParseTest(e);
            else if (Cur.IsOp("(")) e = ParseCall(e);
            else return e;
        }
    }

    private Expr ParseSubscript(Expr e)
    {
        var t = Next();
        if (t.Text == ".")
        {
            var n = Next();
            if (n.Kind == TokenKind.Name) return new AttrExpr(t.Line, e, n.Text);
            if (n.Kind == TokenKind.Int) return new ItemExpr(t.Line, e, new LiteralExpr(n.Line, n.Literal!));
            throw Error($"expected an attribute name after '.', found {Describe(n)}", n);
        }
        // '[' index or slice ']'
        var parts = new List<Expr?>();
        Expr? cur = null;
        bool isSlice = false;
        var indexItems = new List<Expr>();
        bool tupleIndex = false;
        while (!Cur.IsOp("]"))
        {
            if (Cur.IsOp(":")) { _i++; isSlice = true; parts.Add(cur); cur = null; continue; }
            if (Cur.IsOp(",") && !isSlice) { _i++; tupleIndex = true; indexItems.Add(cur ?? throw Error("expected an index")); cur = null; continue; }
            cur = ParseExpression();
        }
        _i++;
        if (isSlice)
        {
            parts.Add(cur);
            if (parts.Count > 3) throw Error("too many ':' in slice", t);
            return new SliceExpr(t.Line, e, parts[0], parts.Count > 1 ? parts[1] : null, parts.Count > 2 ? parts[2] : null);
        }
        if (tupleIndex)
        {
            if (cur != null) indexItems.Add(cur);
            return new ItemExpr(t.Line, e, new ListExpr(t.Line, indexItems, true));
        }
        return new ItemExpr(t.Line, e, cur ?? throw Error("expected an index inside '[]'", t));
    }

    private (List<Expr> Args, List<(string, Expr)> Kwargs) ParseArgs()
    {
        Expect(TokenKind.Op, "(");
        var args = new List<Expr>();
        var kwargs = new List<(string, Expr)>();
        while (!Cur.IsOp(")"))
        {
            if (args.Count + kwargs.Count > 0) Expect(TokenKind.Op, ",");
            if (Cur.IsOp(")")) break;
            if (Cur.IsOp("*") || Cur.IsOp("**")) throw Error("*args and **kwargs in calls are not supported");
            if (Cur.Kind == TokenKind.Name && Peek().IsOp("="))
            {
                string n = Next().Text;
                _i++;
                kwargs.Add((n, ParseExpression()));
            }
            else
            {
                if (kwargs.Count > 0) throw Error("positional argument follows keyword argument");
                args.Add(ParseExpression());
            }
        }
        _i++;
        return (args, kwargs);
    }

    private CallExpr ParseCall(Expr e)
    {
        int line = Cur.Line;
        var (args, kwargs) = ParseArgs();
        return new CallExpr(line, e, args, kwargs);
    }

    private FilterExpr ParseFilter(Expr target)
    {
        var n = Expect(TokenKind.Name);
        string name = n.Text;
        while (Cur.IsOp(".") && Peek().Kind == TokenKind.Name) { _i++; name += "." + Next().Text; }
        if (Cur.IsOp("("))
        {
            var (args, kwargs) = ParseArgs();
            return new FilterExpr(n.Line, target, name, args, kwargs);
        }
        return new FilterExpr(n.Line, target, name, [], []);
    }

    private TestExpr ParseTest(Expr target)
    {
        int line = Next().Line; // 'is'
        bool negated = SkipName("not");
        var n = Expect(TokenKind.Name);
        string name = n.Text;
        if (name is "none" or "true" or "false" or "None" or "True" or "False") name = name.ToLowerInvariant();
        var args = new List<Expr>();
        if (Cur.IsOp("("))
        {
            var (a, kw) = ParseArgs();
            if (kw.Count > 0) throw Error("keyword arguments to tests are not supported");
            args = a;
        }
        else if ((Cur.Kind is TokenKind.Name or TokenKind.String or TokenKind.Int or TokenKind.Float || Cur.IsOp("(") || Cur.IsOp("[") || Cur.IsOp("{"))
            && !(Cur.IsName("else") || Cur.IsName("or") || Cur.IsName("and")))
        {
            if (Cur.IsName("is")) throw Error("tests cannot be chained with 'is'");
            args.Add(ParsePostfix(ParsePrimary()));
        }
        return new TestExpr(line, target, name, args, negated);
    }
}
