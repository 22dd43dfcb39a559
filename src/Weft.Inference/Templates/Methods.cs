// Python methods reachable from templates: str (strip, split, startswith…), dict (items, get…), list (append, pop…).
using System.Text;

namespace Weft.Inference.Templates;

internal static class Methods
{
    /// <summary>The bound method <paramref name="name"/> of <paramref name="target"/>, or null when it has none.</summary>
    public static CallableValue? Find(Value target, string name) => target switch
    {
        StringValue s => StringMethod(s.V, name),
        DictValue d => DictMethod(d, name),
        ListValue l => ListMethod(l, name),
        _ => null,
    };

    private static CallableValue Bind(string name, Func<CallArgs, Value> f) => new(name, f);

    private static string? OptStr(CallArgs a, int i, string n)
    {
        var v = a.Arg(i, n);
        return v is null or NoneValue ? null : v is StringValue s ? s.V : throw new RenderError($"{n} must be a string or None, not {v.TypeName}");
    }

    private static string Str(CallArgs a, int i, string n) =>
        a.Arg(i, n) is StringValue s ? s.V : throw new RenderError($"argument '{n}' must be a string");

    private static long Int(CallArgs a, int i, string n, long dflt) => a.Arg(i, n) switch
    {
        null or NoneValue => dflt,
        var v => Ops.AsLong(v) ?? throw new RenderError($"argument '{n}' must be an integer"),
    };

    private static (int Start, int End) Range(string s, CallArgs a, int i)
    {
        int n = s.Length;
        int Norm(long x) => (int)Math.Clamp(x < 0 ? x + n : x, 0, n);
        return (Norm(Int(a, i, "start", 0)), Norm(Int(a, i + 1, "end", n)));
    }

    private static CallableValue? StringMethod(string s, string name)
    {
        switch (name)
        {
            case "strip": return Bind(name, a => Value.Of(PyString.Strip(s, OptStr(a, 0, "chars"), true, true)));
            case "lstrip": return Bind(name, a => Value.Of(PyString.Strip(s, OptStr(a, 0, "chars"), true, false)));
            case "rstrip": return Bind(name, a => Value.Of(PyString.Strip(s, OptStr(a, 0, "chars"), false, true)));
            case "upper": return Bind(name, _ => Value.Of(s.ToUpperInvariant()));
            case "lower": return Bind(name, _ => Value.Of(s.ToLowerInvariant()));
            case "title": return Bind(name, _ => Value.Of(PyString.Title(s)));
            case "capitalize": return Bind(name, _ => Value.Of(PyString.Capitalize(s)));
            case "swapcase": return Bind(name, _ => Value.Of(string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)))));
            case "startswith" or "endswith":
                return Bind(name, a =>
                {
                    var (st, en) = Range(s, a, 1);
                    string sub = st <= en ? s[st..en] : "";
                    var p = a.Arg(0, "prefix") ?? throw new RenderError($"{name}() takes at least 1 argument");
                    var options = p is ListValue { IsTuple: true } t ? t.Items : [p];
                    return Value.Bool(options.Any(o => o is StringValue os
                        ? (name == "startswith" ? sub.StartsWith(os.V, StringComparison.Ordinal) : sub.EndsWith(os.V, StringComparison.Ordinal))
                        : throw new RenderError($"{name} first arg must be str or a tuple of str, not {o.TypeName}")));
                });
            case "split": return Bind(name, a => StrList(PyString.Split(s, OptStr(a, 0, "sep"), Int(a, 1, "maxsplit", -1))));
            case "rsplit": return Bind(name, a => StrList(PyString.RSplit(s, OptStr(a, 0, "sep"), Int(a, 1, "maxsplit", -1))));
            case "splitlines": return Bind(name, a => StrList(PyString.SplitLines(s, a.Arg(0, "keepends")?.IsTrue == true)));
            case "replace":
                return Bind(name, a =>
                {
                    string old = Str(a, 0, "old"), @new = Str(a, 1, "new");
                    long count = Int(a, 2, "count", -1);
                    return Value.Of(Replace(s, old, @new, count));
                });
            case "find" or "index" or "rfind" or "rindex":
                return Bind(name, a =>
                {
                    string sub = Str(a, 0, "sub");
                    var (st, en) = Range(s, a, 1);
                    int k = -1;
                    if (st <= en && en - st >= sub.Length)
                        k = name[0] == 'r' ? s.LastIndexOf(sub, en - 1 < 0 ? 0 : en - 1, en - st, StringComparison.Ordinal) : s.IndexOf(sub, st, en - st, StringComparison.Ordinal);
                    if (sub.Length == 0 && st <= en) k = name[0] == 'r' ? en : st;
                    if (k < 0 && name.EndsWith("index", StringComparison.Ordinal)) throw new RenderError("substring not found");
                    return Value.Of(k < 0 ? -1 : Ops.CodePointCount(s[..k]));
                });
            case "count":
                return Bind(name, a =>
                {
                    string sub = Str(a, 0, "sub");
                    if (sub.Length == 0) return Value.Of(Ops.CodePointCount(s) + 1L);
                    long n = 0;
                    for (int k = s.IndexOf(sub, StringComparison.Ordinal); k >= 0; k = s.IndexOf(sub, k + sub.Length, StringComparison.Ordinal)) n++;
                    return Value.Of(n);
                });
            case "join": return Bind(name, a => Value.Of(string.Join(s, Ops.Iterate(a.Arg(0, "iterable") ?? new ListValue()).Select(v => v is StringValue t ? t.V : throw new RenderError($"sequence item: expected str instance, {v.TypeName} found")))));
            case "removeprefix": return Bind(name, a => { string p = Str(a, 0, "prefix"); return Value.Of(s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s); });
            case "removesuffix": return Bind(name, a => { string p = Str(a, 0, "suffix"); return Value.Of(p.Length > 0 && s.EndsWith(p, StringComparison.Ordinal) ? s[..^p.Length] : s); });
            case "isdigit" or "isnumeric" or "isdecimal": return Bind(name, _ => Value.Bool(s.Length > 0 && s.All(char.IsDigit)));
            case "isalpha": return Bind(name, _ => Value.Bool(s.Length > 0 && s.All(char.IsLetter)));
            case "isalnum": return Bind(name, _ => Value.Bool(s.Length > 0 && s.All(char.IsLetterOrDigit)));
            case "isspace": return Bind(name, _ => Value.Bool(s.Length > 0 && s.All(PyString.IsSpace)));
            case "islower": return Bind(name, _ => Value.Bool(s.Any(char.IsLower) && !s.Any(char.IsUpper)));
            case "isupper": return Bind(name, _ => Value.Bool(s.Any(char.IsUpper) && !s.Any(char.IsLower)));
            case "center": return Bind(name, a => Value.Of(PyString.Center(s, (int)Int(a, 0, "width", 0), OptStr(a, 1, "fillchar") ?? " ")));
            case "ljust": return Bind(name, a => Value.Of(s + PyString.Repeat(OptStr(a, 1, "fillchar") ?? " ", (int)Int(a, 0, "width", 0) - Ops.CodePointCount(s))));
            case "rjust": return Bind(name, a => Value.Of(PyString.Repeat(OptStr(a, 1, "fillchar") ?? " ", (int)Int(a, 0, "width", 0) - Ops.CodePointCount(s)) + s));
            case "zfill":
                return Bind(name, a =>
                {
                    int pad = (int)Int(a, 0, "width", 0) - Ops.CodePointCount(s);
                    if (pad <= 0) return Value.Of(s);
                    bool sign = s.Length > 0 && s[0] is '+' or '-';
                    return Value.Of(sign ? s[0] + new string('0', pad) + s[1..] : new string('0', pad) + s);
                });
            case "partition" or "rpartition":
                return Bind(name, a =>
                {
                    string sep = Str(a, 0, "sep");
                    int k = name == "partition" ? s.IndexOf(sep, StringComparison.Ordinal) : s.LastIndexOf(sep, StringComparison.Ordinal);
                    if (k < 0) return Tuple(name == "partition" ? [s, "", ""] : ["", "", s]);
                    return Tuple([s[..k], sep, s[(k + sep.Length)..]]);
                });
            case "format": return Bind(name, a => Value.Of(BraceFormat(s, a)));
            default: return null;
        }
    }

    private static Value StrList(IEnumerable<string> items) => new ListValue(items.Select(Value.Of).ToList());
    private static Value Tuple(string[] items) => new ListValue(items.Select(Value.Of).ToList(), true);

    public static string Replace(string s, string old, string @new, long count)
    {
        if (count < 0) return old.Length == 0 ? InsertEverywhere(s, @new) : s.Replace(old, @new, StringComparison.Ordinal);
        var sb = new StringBuilder();
        int start = 0;
        for (long n = 0; n < count; n++)
        {
            int k = old.Length == 0 ? (start <= s.Length ? start : -1) : s.IndexOf(old, start, StringComparison.Ordinal);
            if (k < 0) break;
            sb.Append(s, start, k - start).Append(@new);
            if (old.Length == 0)
            {
                if (k < s.Length) sb.Append(s[k]);
                start = k + 1;
            }
            else start = k + old.Length;
        }
        if (start < s.Length) sb.Append(s, start, s.Length - start);
        return sb.ToString();
    }

    private static string InsertEverywhere(string s, string ins)
    {
        var sb = new StringBuilder(ins);
        foreach (var c in Ops.Chars(s)) sb.Append(c).Append(ins);
        return sb.ToString();
    }

    /// <summary>str.format with {} / {0} / {name} fields and !r/!s conversions (no format specs beyond plain ones).</summary>
    private static string BraceFormat(string fmt, CallArgs a)
    {
        var sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < fmt.Length; i++)
        {
            char c = fmt[i];
            if (c == '{' && i + 1 < fmt.Length && fmt[i + 1] == '{') { sb.Append('{'); i++; continue; }
            if (c == '}' && i + 1 < fmt.Length && fmt[i + 1] == '}') { sb.Append('}'); i++; continue; }
            if (c != '{') { sb.Append(c); continue; }
            int end = fmt.IndexOf('}', i);
            if (end < 0) throw new RenderError("single '{' encountered in format string");
            string field = fmt[(i + 1)..end];
            string conv = "";
            int bang = field.IndexOf('!');
            if (bang >= 0) { conv = field[(bang + 1)..]; field = field[..bang]; }
            if (field.Contains(':')) throw new RenderError("format specs in str.format are not supported");
            Value v;
            if (field.Length == 0) v = a.Positional.ElementAtOrDefault(auto++) ?? throw new RenderError("Replacement index out of range");
            else if (int.TryParse(field, out int idx)) v = a.Positional.ElementAtOrDefault(idx) ?? throw new RenderError("Replacement index out of range");
            else v = a.Kw(field) ?? throw new RenderError($"KeyError: '{field}'");
            sb.Append(conv == "r" ? PyText.Repr(v) : PyText.Str(v));
            i = end;
        }
        return sb.ToString();
    }

    private static CallableValue? DictMethod(DictValue d, string name)
    {
        switch (name)
        {
            case "items": return Bind(name, _ => new ListValue(d.Items.Select(kv => (Value)new ListValue([kv.Key, kv.Value], true)).ToList()));
            case "keys": return Bind(name, _ => new ListValue([.. d.Items.Keys]));
            case "values": return Bind(name, _ => new ListValue([.. d.Items.Values]));
            case "get": return Bind(name, a => d.Items.TryGetValue(a.Arg(0, "key") ?? Value.None, out var v) ? v : a.Arg(1, "default") ?? Value.None);
            case "copy": return Bind(name, _ => { var c = new DictValue(); foreach (var kv in d.Items) c.Items[kv.Key] = kv.Value; return c; });
            case "pop":
                return Bind(name, a =>
                {
                    var k = a.Arg(0, "key") ?? throw new RenderError("pop expected at least 1 argument");
                    if (d.Items.Remove(k, out var v)) return v;
                    return a.Arg(1, "default") ?? throw new RenderError($"KeyError: {PyText.Repr(k)}");
                });
            case "setdefault":
                return Bind(name, a =>
                {
                    var k = a.Arg(0, "key") ?? throw new RenderError("setdefault expected at least 1 argument");
                    if (d.Items.TryGetValue(k, out var v)) return v;
                    return d.Items[k] = a.Arg(1, "default") ?? Value.None;
                });
            case "update":
                return Bind(name, a =>
                {
                    if (a.Arg(0, "other") is DictValue o) foreach (var kv in o.Items) d.Items[kv.Key] = kv.Value;
                    foreach (var kv in a.Named) d.Items[Value.Of(kv.Key)] = kv.Value;
                    return Value.None;
                });
            default: return null;
        }
    }

    private static CallableValue? ListMethod(ListValue l, string name)
    {
        void Mutable()
        {
            if (l.IsTuple) throw new RenderError($"'tuple' object has no attribute '{name}'");
        }
        switch (name)
        {
            case "append": return Bind(name, a => { Mutable(); l.Items.Add(a.Arg(0, "object") ?? throw new RenderError("append() takes exactly one argument")); return Value.None; });
            case "extend": return Bind(name, a => { Mutable(); l.Items.AddRange(Ops.Iterate(a.Arg(0, "iterable") ?? new ListValue())); return Value.None; });
            case "insert":
                return Bind(name, a =>
                {
                    Mutable();
                    long i = Ops.AsLong(a.Arg(0, "index") ?? Value.None) ?? throw new RenderError("insert index must be an integer");
                    if (i < 0) i = Math.Max(0, i + l.Items.Count);
                    l.Items.Insert((int)Math.Min(i, l.Items.Count), a.Arg(1, "object") ?? Value.None);
                    return Value.None;
                });
            case "pop":
                return Bind(name, a =>
                {
                    Mutable();
                    if (l.Items.Count == 0) throw new RenderError("pop from empty list");
                    long i = Ops.AsLong(a.Arg(0, "index") ?? Value.Of(-1L)) ?? throw new RenderError("pop index must be an integer");
                    if (i < 0) i += l.Items.Count;
                    if (i < 0 || i >= l.Items.Count) throw new RenderError("pop index out of range");
                    var v = l.Items[(int)i];
                    l.Items.RemoveAt((int)i);
                    return v;
                });
            case "index":
                return Bind(name, a =>
                {
                    var x = a.Arg(0, "value") ?? Value.None;
                    int k = l.Items.FindIndex(v => Ops.Equal(v, x));
                    return k >= 0 ? Value.Of(k) : throw new RenderError($"{PyText.Repr(x)} is not in list");
                });
            case "count": return Bind(name, a => Value.Of((long)l.Items.Count(v => Ops.Equal(v, a.Arg(0, "value") ?? Value.None))));
            case "reverse": return Bind(name, _ => { Mutable(); l.Items.Reverse(); return Value.None; });
            case "copy": return Bind(name, _ => new ListValue([.. l.Items]));
            default: return null;
        }
    }
}
