// Parsed rules -> Grammar: resolves names, gives groups and repetitions rules of their own, rejects undefined
// rules, a missing root and left recursion (which a stack-based matcher would expand forever).
namespace Weft.Inference.Grammar;

internal sealed class GrammarCompiler
{
    private readonly List<byte> _kinds = [];
    private readonly List<int> _args = [];
    private readonly List<List<int>> _alternatives = [];
    private readonly List<(string Name, int Line, int Column)> _origins = [];
    private readonly List<CharSet> _sets = [];
    private readonly Dictionary<CharSet, int> _setIds = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, int> _ruleIds = new(StringComparer.Ordinal);
    private readonly Dictionary<GrammarExpr, int> _exprRules = new(ReferenceEqualityComparer.Instance);

    public static Grammar Compile(List<RuleDefinition> rules, string source)
    {
        var c = new GrammarCompiler();
        foreach (var r in rules)
        {
            if (c._ruleIds.ContainsKey(r.Name)) throw new GrammarException($"rule '{r.Name}' is defined twice", r.Line, r.Column);
            c._ruleIds[r.Name] = c.NewRule(r.Name, r.Line, r.Column);
        }
        if (!c._ruleIds.TryGetValue("root", out int root))
            throw new GrammarException("the grammar has no 'root' rule (the start rule)", 1, 1);
        foreach (var r in rules) c.Define(c._ruleIds[r.Name], r.Body, r.Name);
        var grammar = new Grammar([.. c._kinds], [.. c._args], [.. c._alternatives.Select(a => a.ToArray())], [.. c._sets], root, source);
        c.CheckLeftRecursion(grammar);
        return grammar;
    }

    private int NewRule(string name, int line, int column)
    {
        _alternatives.Add([]);
        _origins.Add((name, line, column));
        return _alternatives.Count - 1;
    }

    private void Define(int rule, GrammarExpr body, string name)
    {
        var options = body is AltExpr alt ? alt.Options : [body];
        foreach (var option in options)
        {
            var elements = new List<(byte, int)>();
            Flatten(option, elements, name);
            AddAlternative(rule, elements);
        }
    }

    private void AddAlternative(int rule, List<(byte Kind, int Arg)> elements)
    {
        _alternatives[rule].Add(_kinds.Count);
        foreach (var (k, a) in elements) { _kinds.Add(k); _args.Add(a); }
        _kinds.Add(Grammar.KindEnd);
        _args.Add(0);
    }

    private void Flatten(GrammarExpr e, List<(byte, int)> output, string name)
    {
        switch (e)
        {
            case SeqExpr seq:
                foreach (var item in seq.Items) Flatten(item, output, name);
                break;
            case CharsExpr chars:
                if (!_setIds.TryGetValue(chars.Set, out int set))
                {
                    set = _sets.Count;
                    _sets.Add(chars.Set);
                    _setIds[chars.Set] = set;
                }
                output.Add((Grammar.KindChars, set));
                break;
            case RefExpr r:
                if (!_ruleIds.TryGetValue(r.Name, out int id))
                    throw new GrammarException($"rule '{r.Name}' is used but never defined", r.Line, r.Column);
                output.Add((Grammar.KindRule, id));
                break;
            case AltExpr alt:
                output.Add((Grammar.KindRule, RuleOf(alt, name)));
                break;
            case RepeatExpr rep:
                FlattenRepeat(rep, output, name);
                break;
        }
    }

    /// <summary>A rule of its own for a group (made once per group, however often a repetition inlines it).</summary>
    private int RuleOf(GrammarExpr e, string name)
    {
        if (_exprRules.TryGetValue(e, out int id)) return id;
        id = NewRule($"{name}_{_alternatives.Count}", e.Line, e.Column);
        _exprRules[e] = id;
        Define(id, e, name);
        return id;
    }

    // x{m,n} -> m copies of x, then n-m nested optionals (o_k ::= x o_(k-1) | ""); x{m,} -> m copies then s ::= x s | "".
    private void FlattenRepeat(RepeatExpr rep, List<(byte, int)> output, string name)
    {
        var item = rep.Item is SeqExpr or AltExpr or RepeatExpr ? new RefLike(RuleOf(rep.Item, name)) : null;
        void EmitItem(List<(byte, int)> into)
        {
            if (item != null) into.Add((Grammar.KindRule, item.Rule));
            else Flatten(rep.Item, into, name);
        }
        for (int i = 0; i < rep.Min; i++) EmitItem(output);
        if (rep.Max == -1)
        {
            int star = NewRule($"{name}_{_alternatives.Count}", rep.Line, rep.Column);
            var loop = new List<(byte, int)>();
            EmitItem(loop);
            loop.Add((Grammar.KindRule, star));
            AddAlternative(star, loop);
            AddAlternative(star, []);
            output.Add((Grammar.KindRule, star));
            return;
        }
        int previous = -1;
        for (int k = 0; k < rep.Max - rep.Min; k++)
        {
            int opt = NewRule($"{name}_{_alternatives.Count}", rep.Line, rep.Column);
            var some = new List<(byte, int)>();
            EmitItem(some);
            if (previous >= 0) some.Add((Grammar.KindRule, previous));
            AddAlternative(opt, some);
            AddAlternative(opt, []);
            previous = opt;
        }
        if (previous >= 0) output.Add((Grammar.KindRule, previous));
    }

    private sealed record RefLike(int Rule);

    private void CheckLeftRecursion(Grammar g)
    {
        int n = g.Alternatives.Length;
        var nullable = new bool[n];
        for (bool changed = true; changed;)
        {
            changed = false;
            for (int r = 0; r < n; r++)
            {
                if (nullable[r]) continue;
                foreach (int start in g.Alternatives[r])
                {
                    int p = start;
                    while (g.Kinds[p] == Grammar.KindRule && nullable[g.Args[p]]) p++;
                    if (g.Kinds[p] == Grammar.KindEnd) { nullable[r] = true; changed = true; break; }
                }
            }
        }
        // rule -> the rules it may begin with
        var first = new List<int>[n];
        for (int r = 0; r < n; r++)
        {
            first[r] = [];
            foreach (int start in g.Alternatives[r])
                for (int p = start; g.Kinds[p] == Grammar.KindRule; p++)
                {
                    first[r].Add(g.Args[p]);
                    if (!nullable[g.Args[p]]) break;
                }
        }
        var color = new byte[n]; // 0 unseen, 1 on the path, 2 done
        var stack = new Stack<(int Rule, int Next)>();
        for (int s = 0; s < n; s++)
        {
            if (color[s] != 0) continue;
            stack.Push((s, 0));
            color[s] = 1;
            while (stack.Count > 0)
            {
                var (r, next) = stack.Pop();
                if (next < first[r].Count)
                {
                    stack.Push((r, next + 1));
                    int t = first[r][next];
                    if (color[t] == 1)
                    {
                        var (name, line, column) = _origins[t];
                        throw new GrammarException($"rule '{BaseName(name)}' is left-recursive (it can reach itself before matching any character), which is not supported", line, column);
                    }
                    if (color[t] == 0) { color[t] = 1; stack.Push((t, 0)); }
                }
                else color[r] = 2;
            }
        }
    }

    private static string BaseName(string name)
    {
        int cut = name.LastIndexOf('_');
        return cut > 0 && int.TryParse(name.AsSpan(cut + 1), out _) ? name[..cut] : name;
    }
}
