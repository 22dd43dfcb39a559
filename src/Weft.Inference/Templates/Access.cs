// Jinja2's attribute and item lookup: `a.b` tries the attribute (method) first, `a[b]` the item first; misses are Undefined.
namespace Weft.Inference.Templates;

internal static class Access
{
    public static Value GetAttr(Value target, string name)
    {
        switch (target)
        {
            case UndefinedValue u: throw new RenderError(u.Hint);
            case NamespaceValue n: return n.Attributes.TryGetValue(name, out var nv) ? nv : Missing(target, name);
            case DictValue d:
                return (Value?)Methods.Find(d, name) ?? d.Get(name) ?? Missing(target, name);
            default:
                return (Value?)Methods.Find(target, name) ?? Missing(target, name);
        }
    }

    public static Value GetItem(Value target, Value key)
    {
        switch (target)
        {
            case UndefinedValue u: throw new RenderError(u.Hint);
            case DictValue d:
                if (d.Items.TryGetValue(key, out var v)) return v;
                break;
            case ListValue l when Ops.AsLong(key) is long i:
                if (i < 0) i += l.Items.Count;
                return i >= 0 && i < l.Items.Count ? l.Items[(int)i] : Missing(target, key);
            case StringValue s when Ops.AsLong(key) is long j:
                {
                    var chars = Ops.Chars(s.V);
                    if (j < 0) j += chars.Count;
                    return j >= 0 && j < chars.Count ? Value.Of(chars[(int)j]) : Missing(target, key);
                }
            case NamespaceValue n when key is StringValue ks:
                return n.Attributes.TryGetValue(ks.V, out var nv) ? nv : Missing(target, key);
        }
        if (key is StringValue name && Methods.Find(target, name.V) is { } m) return m;
        return Missing(target, key);
    }

    private static UndefinedValue Missing(Value target, string name) =>
        new(target is NoneValue ? $"'None' has no attribute '{name}'" : $"'{target.TypeName} object' has no attribute '{name}'");

    private static UndefinedValue Missing(Value target, Value key) =>
        new(target is NoneValue ? $"'None' has no attribute {PyText.Repr(key)}" : $"'{target.TypeName} object' has no attribute {PyText.Repr(key)}");

    /// <summary>Python slicing target[start:stop:step] of lists, tuples and strings (negative indices allowed).</summary>
    public static Value Slice(Value target, Value? start, Value? stop, Value? step)
    {
        if (target is UndefinedValue u) throw new RenderError(u.Hint);
        long st = step is null or NoneValue ? 1 : Ops.AsLong(step) ?? throw new RenderError("slice indices must be integers or None");
        if (st == 0) throw new RenderError("slice step cannot be zero");
        List<Value> items;
        bool isString = target is StringValue;
        if (target is StringValue s) items = Ops.Chars(s.V).Select(Value.Of).ToList();
        else if (target is ListValue l) items = l.Items;
        else throw new RenderError($"'{target.TypeName}' object is not subscriptable");
        int n = items.Count;
        long Bound(Value? v, long dflt)
        {
            if (v is null or NoneValue) return dflt;
            long x = Ops.AsLong(v) ?? throw new RenderError("slice indices must be integers or None");
            if (x < 0) x += n;
            return st > 0 ? Math.Clamp(x, 0, n) : Math.Clamp(x, -1, n - 1);
        }
        long a = Bound(start, st > 0 ? 0 : n - 1), b = Bound(stop, st > 0 ? n : -1);
        var result = new List<Value>();
        if (st > 0) for (long i = a; i < b; i += st) result.Add(items[(int)i]);
        else for (long i = a; i > b; i += st) result.Add(items[(int)i]);
        if (isString) return Value.Of(string.Concat(result.Select(v => ((StringValue)v).V)));
        return new ListValue(result, ((ListValue)target).IsTuple);
    }
}
