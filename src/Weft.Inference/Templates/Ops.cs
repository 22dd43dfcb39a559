// Python operators over template values: equality, ordering, arithmetic, membership, length and iteration.
using System.Text;

namespace Weft.Inference.Templates;

internal static class Ops
{
    public static bool IsNumber(Value v) => v is IntValue or FloatValue or BoolValue;

    public static double AsDouble(Value v) => v switch
    {
        IntValue i => i.V,
        FloatValue f => f.V,
        BoolValue b => b.V ? 1 : 0,
        _ => throw new RenderError($"expected a number, got {v.TypeName}"),
    };

    /// <summary>Integer view of an int or bool (Python's bool is an int); null for anything else.</summary>
    public static long? AsLong(Value v) => v switch
    {
        IntValue i => i.V,
        BoolValue b => b.V ? 1 : 0,
        _ => null,
    };

    public static bool Equal(Value a, Value b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (IsNumber(a) && IsNumber(b))
        {
            if (AsLong(a) is long x && AsLong(b) is long y) return x == y;
            return AsDouble(a) == AsDouble(b);
        }
        return (a, b) switch
        {
            (StringValue s, StringValue t) => s.V == t.V,
            (NoneValue, NoneValue) => true,
            (UndefinedValue, UndefinedValue) => true,
            (ListValue l, ListValue m) => l.IsTuple == m.IsTuple && l.Items.Count == m.Items.Count && l.Items.Zip(m.Items).All(p => Equal(p.First, p.Second)),
            (DictValue d, DictValue e) => d.Items.Count == e.Items.Count && d.Items.All(kv => e.Items.TryGetValue(kv.Key, out var w) && Equal(kv.Value, w)),
            _ => false,
        };
    }

    /// <summary>Python ordering (&lt;, &gt;…): numbers, strings by code point, lists/tuples element-wise; else TypeError.</summary>
    public static int Compare(Value a, Value b, string op)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            if (AsLong(a) is long x && AsLong(b) is long y) return x.CompareTo(y);
            double p = AsDouble(a), q = AsDouble(b);
            if (double.IsNaN(p) || double.IsNaN(q)) return int.MinValue; // every comparison false
            return p.CompareTo(q);
        }
        if (a is StringValue s && b is StringValue t) return CompareCodePoints(s.V, t.V);
        if (a is ListValue l && b is ListValue m && l.IsTuple == m.IsTuple)
        {
            for (int i = 0; i < Math.Min(l.Items.Count, m.Items.Count); i++)
            {
                if (Equal(l.Items[i], m.Items[i])) continue;
                return Compare(l.Items[i], m.Items[i], op);
            }
            return l.Items.Count.CompareTo(m.Items.Count);
        }
        throw new RenderError($"'{op}' not supported between instances of '{a.TypeName}' and '{b.TypeName}'");
    }

    public static int CompareCodePoints(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            int x = CodePointAt(a, i), y = CodePointAt(b, j);
            if (x != y) return x < y ? -1 : 1;
            i += x > 0xffff ? 2 : 1;
            j += y > 0xffff ? 2 : 1;
        }
        return (a.Length - i).CompareTo(b.Length - j) switch { < 0 => -1, > 0 => 1, _ => 0 };
    }

    public static int CodePointAt(string s, int i) =>
        char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? char.ConvertToUtf32(s[i], s[i + 1]) : s[i];

    public static Value Add(Value a, Value b)
    {
        if (AsLong(a) is long x && AsLong(b) is long y) return Value.Of(Checked(() => checked(x + y)));
        if (IsNumber(a) && IsNumber(b)) return Value.Of(AsDouble(a) + AsDouble(b));
        return (a, b) switch
        {
            (StringValue s, StringValue t) => Value.Of(s.V + t.V),
            (ListValue l, ListValue m) when l.IsTuple == m.IsTuple => new ListValue([.. l.Items, .. m.Items], l.IsTuple),
            _ => throw Unsupported("+", a, b),
        };
    }

    public static Value Sub(Value a, Value b)
    {
        if (AsLong(a) is long x && AsLong(b) is long y) return Value.Of(Checked(() => checked(x - y)));
        if (IsNumber(a) && IsNumber(b)) return Value.Of(AsDouble(a) - AsDouble(b));
        throw Unsupported("-", a, b);
    }

    public static Value Mul(Value a, Value b)
    {
        if (AsLong(a) is long x && AsLong(b) is long y) return Value.Of(Checked(() => checked(x * y)));
        if (IsNumber(a) && IsNumber(b)) return Value.Of(AsDouble(a) * AsDouble(b));
        if (a is IntValue or BoolValue && b is StringValue or ListValue) (a, b) = (b, a);
        if (AsLong(b) is long n)
        {
            if (n * (long)Length(a) > 16 << 20) throw new RenderError("repetition result too large");
            if (a is StringValue s) return Value.Of(n <= 0 ? "" : new StringBuilder().Insert(0, s.V, (int)n).ToString());
            if (a is ListValue l)
            {
                var items = new List<Value>();
                for (long k = 0; k < n; k++) items.AddRange(l.Items);
                return new ListValue(items, l.IsTuple);
            }
        }
        throw Unsupported("*", a, b);
    }

    public static Value TrueDiv(Value a, Value b)
    {
        if (!IsNumber(a) || !IsNumber(b)) throw Unsupported("/", a, b);
        double q = AsDouble(b);
        if (q == 0) throw new RenderError("division by zero");
        return Value.Of(AsDouble(a) / q);
    }

    public static Value FloorDiv(Value a, Value b)
    {
        if (AsLong(a) is long x && AsLong(b) is long y)
        {
            if (y == 0) throw new RenderError("integer division or modulo by zero");
            long q = x / y;
            if ((x % y != 0) && ((x < 0) != (y < 0))) q--;
            return Value.Of(q);
        }
        if (!IsNumber(a) || !IsNumber(b)) throw Unsupported("//", a, b);
        double d = AsDouble(b);
        if (d == 0) throw new RenderError("float floor division by zero");
        return Value.Of(Math.Floor(AsDouble(a) / d));
    }

    public static Value Mod(Value a, Value b)
    {
        if (a is StringValue fmt) return Value.Of(PercentFormat.Apply(fmt.V, b));
        if (AsLong(a) is long x && AsLong(b) is long y)
        {
            if (y == 0) throw new RenderError("integer division or modulo by zero");
            long r = x % y;
            if (r != 0 && ((r < 0) != (y < 0))) r += y;
            return Value.Of(r);
        }
        if (!IsNumber(a) || !IsNumber(b)) throw Unsupported("%", a, b);
        double p = AsDouble(a), q = AsDouble(b);
        if (q == 0) throw new RenderError("float modulo");
        double m = p % q;
        if (m != 0 && ((m < 0) != (q < 0))) m += q;
        return Value.Of(m);
    }

    public static Value Pow(Value a, Value b)
    {
        if (AsLong(a) is long x && AsLong(b) is long y && y >= 0)
        {
            long r = 1;
            for (long k = 0; k < y; k++)
            {
                r = Checked(() => checked(r * x));
                if (r == 0 || r == 1 && x == 1) break;
            }
            return Value.Of(r);
        }
        if (!IsNumber(a) || !IsNumber(b)) throw Unsupported("**", a, b);
        return Value.Of(Math.Pow(AsDouble(a), AsDouble(b)));
    }

    public static Value Negate(Value a) => a switch
    {
        IntValue i => Value.Of(Checked(() => checked(-i.V))),
        BoolValue b => Value.Of(b.V ? -1L : 0L),
        FloatValue f => Value.Of(-f.V),
        _ => throw new RenderError($"bad operand type for unary -: '{a.TypeName}'"),
    };

    private static long Checked(Func<long> f)
    {
        try { return f(); }
        catch (OverflowException) { throw new RenderError("integer overflow (values beyond 64 bits are not supported)"); }
    }

    private static RenderError Unsupported(string op, Value a, Value b) =>
        a is UndefinedValue u ? new RenderError(u.Hint) : b is UndefinedValue w ? new RenderError(w.Hint)
        : new RenderError($"unsupported operand type(s) for {op}: '{a.TypeName}' and '{b.TypeName}'");

    /// <summary>`needle in haystack`.</summary>
    public static bool Contains(Value haystack, Value needle) => haystack switch
    {
        StringValue s when needle is StringValue t => s.V.Contains(t.V, StringComparison.Ordinal),
        StringValue => throw new RenderError($"'in <string>' requires string as left operand, not {needle.TypeName}"),
        ListValue l => l.Items.Any(x => Equal(x, needle)),
        DictValue d => d.Items.ContainsKey(needle),
        NamespaceValue n => needle is StringValue k && n.Attributes.ContainsKey(k.V),
        UndefinedValue => false,
        _ => throw new RenderError($"argument of type '{haystack.TypeName}' is not iterable"),
    };

    public static int Length(Value v) => v switch
    {
        StringValue s => CodePointCount(s.V),
        ListValue l => l.Items.Count,
        DictValue d => d.Items.Count,
        UndefinedValue => 0,
        NamespaceValue n => n.Attributes.Count,
        _ => throw new RenderError($"object of type '{v.TypeName}' has no len()"),
    };

    public static int CodePointCount(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            n++;
        }
        return n;
    }

    /// <summary>Python characters (code points) of a string, each as a string.</summary>
    public static List<string> Chars(string s)
    {
        var list = new List<string>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { list.Add(s.Substring(i, 2)); i++; }
            else list.Add(s[i].ToString());
        }
        return list;
    }

    /// <summary>What `for x in v` visits: list items, dict keys, string characters; Undefined is empty.</summary>
    public static List<Value> Iterate(Value v) => v switch
    {
        ListValue l => [.. l.Items],
        DictValue d => [.. d.Items.Keys],
        StringValue s => Chars(s.V).Select(Value.Of).ToList(),
        UndefinedValue => [],
        _ => throw new RenderError($"'{v.TypeName}' object is not iterable"),
    };
}
