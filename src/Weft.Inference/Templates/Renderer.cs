// Executes a parsed template against a scope of values, enforcing the sandbox limits; one instance per render.
using System.Text;

namespace Weft.Inference.Templates;

internal sealed class Renderer
{
    private enum Flow { Normal, Break, Continue }

    private readonly string? _name;
    private readonly RenderLimits _limits;
    private StringBuilder _out = new();
    private long _steps;
    private int _depth;

    public Renderer(string? name, RenderLimits limits)
    {
        _name = name;
        _limits = limits;
    }

    public string Render(List<Stmt> body, Scope globals)
    {
        var top = new Scope(globals);
        Exec(body, top);
        return _out.ToString();
    }

    private void Step(int line)
    {
        if (++_steps > _limits.MaxSteps)
            throw new TemplateException($"evaluation step limit ({_limits.MaxSteps:N0}) exceeded; the template loops too long", _name, line);
    }

    private void Write(string s, int line)
    {
        _out.Append(s);
        if (_out.Length > _limits.MaxOutputChars)
            throw new TemplateException($"output size limit ({_limits.MaxOutputChars:N0} characters) exceeded", _name, line);
    }

    private void Enter(int line)
    {
        if (++_depth > _limits.MaxDepth) throw new TemplateException($"nesting depth limit ({_limits.MaxDepth}) exceeded (runaway recursion?)", _name, line);
    }

    /// <summary>Renders <paramref name="body"/> into a fresh buffer and returns the text (macros, block set, filter blocks).</summary>
    private string Capture(List<Stmt> body, Scope scope, int line)
    {
        var saved = _out;
        _out = new StringBuilder();
        Enter(line);
        try
        {
            Exec(body, scope);
            return _out.ToString();
        }
        finally
        {
            _depth--;
            _out = saved;
        }
    }

    private Flow Exec(List<Stmt> body, Scope scope)
    {
        foreach (var s in body)
        {
            var f = ExecOne(s, scope);
            if (f != Flow.Normal) return f;
        }
        return Flow.Normal;
    }

    private Flow ExecOne(Stmt s, Scope scope)
    {
        Step(s.Line);
        try
        {
            switch (s)
            {
                case TextStmt t: Write(t.Text, t.Line); return Flow.Normal;
                case OutputStmt o: Write(PyText.Str(Eval(o.Value, scope)), o.Line); return Flow.Normal;
                case IfStmt i:
                    foreach (var (test, branch) in i.Branches)
                        if (Eval(test, scope).IsTrue) return Exec(branch, scope);
                    return i.Else != null ? Exec(i.Else, scope) : Flow.Normal;
                case ForStmt f: ExecFor(f, scope); return Flow.Normal;
                case SetStmt set: Assign(set.Target, Eval(set.Value, scope), scope, set.Line); return Flow.Normal;
                case SetBlockStmt sb:
                    {
                        Value v = Value.Of(Capture(sb.Body, scope, sb.Line));
                        foreach (var fe in sb.Filters) v = ApplyFilter(fe, v, scope);
                        scope.Set(sb.Name, v);
                        return Flow.Normal;
                    }
                case MacroStmt m: scope.Set(m.Name, MakeMacro(m.Name, m.Params, m.Body, scope)); return Flow.Normal;
                case CallBlockStmt cb:
                    {
                        var caller = MakeMacro("caller", cb.CallerParams, cb.Body, scope);
                        var target = Eval(cb.Call.Target, scope);
                        var args = EvalArgs(cb.Call.Args, cb.Call.Kwargs, scope);
                        args.Named.Add(new("caller", caller));
                        Write(PyText.Str(Invoke(target, args, cb.Line)), cb.Line);
                        return Flow.Normal;
                    }
                case FilterBlockStmt fb:
                    {
                        Value v = Value.Of(Capture(fb.Body, scope, fb.Line));
                        foreach (var fe in fb.Filters) v = ApplyFilter(fe, v, scope);
                        Write(PyText.Str(v), fb.Line);
                        return Flow.Normal;
                    }
                case WithStmt w:
                    {
                        var inner = new Scope(scope);
                        foreach (var (n, e) in w.Assignments) inner.Set(n, Eval(e, scope));
                        return Exec(w.Body, inner);
                    }
                case BodyStmt b: return Exec(b.Body, scope);
                case BreakStmt: return Flow.Break;
                case ContinueStmt: return Flow.Continue;
                default: throw new RenderError($"unsupported statement {s.GetType().Name}");
            }
        }
        catch (RenderError e)
        {
            throw new TemplateException(e.Message, _name, s.Line);
        }
    }

    private void ExecFor(ForStmt f, Scope scope)
    {
        if (f.Recursive) throw new RenderError("recursive for-loops are not supported");
        var source = Eval(f.Iterable, scope);
        if (source is NoneValue or IntValue or FloatValue or BoolValue or CallableValue)
            throw new RenderError($"'{source.TypeName}' object is not iterable");
        var items = Ops.Iterate(source);
        if (f.Filter != null)
        {
            var kept = new List<Value>();
            foreach (var item in items)
            {
                Step(f.Line);
                var probe = new Scope(scope);
                Bind(f, item, probe);
                if (Eval(f.Filter, probe).IsTrue) kept.Add(item);
            }
            items = kept;
        }
        if (items.Count == 0)
        {
            if (f.Else != null) Exec(f.Else, new Scope(scope));
            return;
        }
        Enter(f.Line);
        try
        {
            for (int i = 0; i < items.Count; i++)
            {
                Step(f.Line);
                var inner = new Scope(scope);
                Bind(f, items[i], inner);
                inner.Set("loop", LoopInfo(items, i));
                if (Exec(f.Body, inner) == Flow.Break) break;
            }
        }
        finally { _depth--; }
    }

    private static void Bind(ForStmt f, Value item, Scope scope)
    {
        if (!f.Unpack)
        {
            scope.Set(f.Targets[0], item);
            return;
        }
        var parts = Ops.Iterate(item);
        if (parts.Count != f.Targets.Count)
            throw new RenderError($"cannot unpack {parts.Count} values into {f.Targets.Count} loop variables");
        for (int k = 0; k < parts.Count; k++) scope.Set(f.Targets[k], parts[k]);
    }

    private static DictValue LoopInfo(List<Value> items, int i)
    {
        int n = items.Count;
        var d = new DictValue();
        d.Set("index", Value.Of(i + 1L));
        d.Set("index0", Value.Of((long)i));
        d.Set("revindex", Value.Of((long)(n - i)));
        d.Set("revindex0", Value.Of(n - i - 1L));
        d.Set("first", Value.Bool(i == 0));
        d.Set("last", Value.Bool(i == n - 1));
        d.Set("length", Value.Of((long)n));
        d.Set("depth", Value.Of(1L));
        d.Set("depth0", Value.Of(0L));
        d.Set("previtem", i > 0 ? items[i - 1] : new UndefinedValue("there is no previous item"));
        d.Set("nextitem", i < n - 1 ? items[i + 1] : new UndefinedValue("there is no next item"));
        d.Set("cycle", new CallableValue("loop.cycle", a =>
            a.Positional.Count > 0 ? a.Positional[i % a.Positional.Count] : throw new RenderError("no items for cycling given")));
        return d;
    }

    private void Assign(Expr target, Value v, Scope scope, int line)
    {
        switch (target)
        {
            case NameExpr n: scope.Set(n.Name, v); break;
            case ListExpr { IsTuple: true } t:
                {
                    var parts = Ops.Iterate(v);
                    if (parts.Count != t.Items.Count) throw new RenderError($"cannot unpack {parts.Count} values into {t.Items.Count} names");
                    for (int k = 0; k < parts.Count; k++) Assign(t.Items[k], parts[k], scope, line);
                    break;
                }
            case AttrExpr a:
                {
                    var ns = Eval(a.Target, scope);
                    if (ns is not NamespaceValue nv) throw new RenderError("cannot assign an attribute on a non-namespace object");
                    nv.Attributes[a.Name] = v;
                    break;
                }
            default: throw new RenderError("cannot assign to this expression");
        }
    }

    private CallableValue MakeMacro(string name, List<MacroParam> ps, List<Stmt> body, Scope defScope)
    {
        return new CallableValue(name, args =>
        {
            var frame = new Scope(defScope);
            var bound = new HashSet<string>(StringComparer.Ordinal);
            var extraPos = new List<Value>();
            for (int k = 0; k < args.Positional.Count; k++)
            {
                if (k < ps.Count) { frame.Set(ps[k].Name, args.Positional[k]); bound.Add(ps[k].Name); }
                else extraPos.Add(args.Positional[k]);
            }
            var kwargs = new DictValue();
            foreach (var kv in args.Named)
            {
                if (kv.Key == "caller") { frame.Set("caller", kv.Value); continue; }
                if (ps.Any(p => p.Name == kv.Key))
                {
                    if (!bound.Add(kv.Key)) throw new RenderError($"macro '{name}' got multiple values for argument '{kv.Key}'");
                    frame.Set(kv.Key, kv.Value);
                }
                else kwargs.Set(kv.Key, kv.Value);
            }
            foreach (var p in ps)
                if (!bound.Contains(p.Name))
                    frame.Set(p.Name, p.Default != null ? Eval(p.Default, frame) : new UndefinedValue($"parameter '{p.Name}' was not provided"));
            frame.Set("varargs", new ListValue(extraPos, true));
            frame.Set("kwargs", kwargs);
            return Value.Of(Capture(body, frame, body.Count > 0 ? body[0].Line : 0));
        }, isMacro: true);
    }

    private Value Invoke(Value target, CallArgs args, int line)
    {
        switch (target)
        {
            case CallableValue c:
                Enter(line);
                try { return c.Call(args); }
                finally { _depth--; }
            case UndefinedValue u: throw new RenderError(u.Hint);
            default: throw new RenderError($"'{target.TypeName}' object is not callable");
        }
    }

    private CallArgs EvalArgs(List<Expr> args, List<(string Name, Expr Value)> kwargs, Scope scope) =>
        new(args.Select(a => Eval(a, scope)).ToList(), kwargs.Select(kv => new KeyValuePair<string, Value>(kv.Name, Eval(kv.Value, scope))).ToList());

    private Value ApplyFilter(FilterExpr f, Value v, Scope scope) =>
        FilterRegistry.Apply(this, f.Name, v, EvalArgs(f.Args, f.Kwargs, scope));

    public Value Eval(Expr e, Scope scope)
    {
        Step(e.Line);
        try
        {
            return EvalCore(e, scope);
        }
        catch (RenderError err)
        {
            throw new TemplateException(err.Message, _name, e.Line);
        }
    }

    private Value EvalCore(Expr e, Scope scope)
    {
        switch (e)
        {
            case LiteralExpr l: return l.Value;
            case NameExpr n: return scope.Lookup(n.Name) ?? new UndefinedValue($"'{n.Name}' is undefined");
            case ListExpr l: return new ListValue(l.Items.Select(x => Eval(x, scope)).ToList(), l.IsTuple);
            case DictExpr d:
                {
                    var dv = new DictValue();
                    foreach (var (k, v) in d.Pairs) dv.Items[Eval(k, scope)] = Eval(v, scope);
                    return dv;
                }
            case AttrExpr a: return Access.GetAttr(Eval(a.Target, scope), a.Name);
            case ItemExpr i: return Access.GetItem(Eval(i.Target, scope), Eval(i.Index, scope));
            case SliceExpr s:
                return Access.Slice(Eval(s.Target, scope), s.Start is null ? null : Eval(s.Start, scope),
                    s.Stop is null ? null : Eval(s.Stop, scope), s.Step is null ? null : Eval(s.Step, scope));
            case CallExpr c: return Invoke(Eval(c.Target, scope), EvalArgs(c.Args, c.Kwargs, scope), c.Line);
            case FilterExpr f: return ApplyFilter(f, Eval(f.Target, scope), scope);
            case TestExpr t:
                {
                    var v = Eval(t.Target, scope);
                    bool r = TestRegistry.Run(t.Name, v, t.Args.Select(x => Eval(x, scope)).ToList());
                    return Value.Bool(r != t.Negated);
                }
            case UnaryExpr u:
                {
                    var v = Eval(u.Operand, scope);
                    return u.Op switch
                    {
                        "not" => Value.Bool(!v.IsTrue),
                        "-" => Ops.Negate(v),
                        _ => Ops.IsNumber(v) ? (v is BoolValue b ? Value.Of(b.V ? 1L : 0L) : v) : throw new RenderError($"bad operand type for unary +: '{v.TypeName}'"),
                    };
                }
            case BinaryExpr b: return EvalBinary(b, scope);
            case CompareExpr c:
                {
                    var left = Eval(c.First, scope);
                    foreach (var (op, rightExpr) in c.Rest)
                    {
                        var right = Eval(rightExpr, scope);
                        if (!CompareOp(op, left, right)) return Value.False;
                        left = right;
                    }
                    return Value.True;
                }
            case CondExpr c:
                if (Eval(c.Test, scope).IsTrue) return Eval(c.Then, scope);
                return c.Else != null ? Eval(c.Else, scope) : new UndefinedValue("the inline if-expression had no else branch");
            default: throw new RenderError($"unsupported expression {e.GetType().Name}");
        }
    }

    private static bool CompareOp(string op, Value a, Value b) => op switch
    {
        "==" => Ops.Equal(a, b),
        "!=" => !Ops.Equal(a, b),
        "<" => Ops.Compare(a, b, op) is < 0 and not int.MinValue,
        "<=" => Ops.Compare(a, b, op) is <= 0 and not int.MinValue,
        ">" => Ops.Compare(a, b, op) > 0,
        ">=" => Ops.Compare(a, b, op) >= 0,
        "in" => Ops.Contains(b, a),
        "notin" => !Ops.Contains(b, a),
        _ => throw new RenderError($"unknown comparison {op}"),
    };

    private Value EvalBinary(BinaryExpr b, Scope scope)
    {
        var left = Eval(b.Left, scope);
        if (b.Op == "and") return left.IsTrue ? Eval(b.Right, scope) : left;
        if (b.Op == "or") return left.IsTrue ? left : Eval(b.Right, scope);
        var right = Eval(b.Right, scope);
        return b.Op switch
        {
            "+" => Ops.Add(left, right),
            "-" => Ops.Sub(left, right),
            "*" => Ops.Mul(left, right),
            "/" => Ops.TrueDiv(left, right),
            "//" => Ops.FloorDiv(left, right),
            "%" => Ops.Mod(left, right),
            "**" => Ops.Pow(left, right),
            "~" => Concat(left, right),
            _ => throw new RenderError($"unknown operator {b.Op}"),
        };
    }

    private Value Concat(Value a, Value b)
    {
        string s = PyText.Str(a) + PyText.Str(b);
        if (s.Length > _limits.MaxOutputChars) throw new RenderError("string too large");
        return Value.Of(s);
    }
}
