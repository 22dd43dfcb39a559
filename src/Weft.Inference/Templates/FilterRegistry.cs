// Jinja2's filters (`x | trim`, `xs | map(attribute='a')`, `v | tojson`…), one registry by name; semantics of Jinja2 3.1 and transformers.
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Weft.Inference.Templates;

internal static partial class FilterRegistry
{
    public delegate Value Filter(Renderer r, Value v, CallArgs a);

    private static readonly Dictionary<string, Filter> Filters = new(StringComparer.Ordinal)
    {
        ["trim"] = (_, v, a) => Value.Of(PyString.Strip(PyText.Str(v), OptString(a.Arg(0, "chars")), true, true)),
        ["length"] = (_, v, _) => Value.Of((long)Ops.Length(v)),
        ["upper"] = (_, v, _) => Value.Of(PyText.Str(v).ToUpperInvariant()),
        ["lower"] = (_, v, _) => Value.Of(PyText.Str(v).ToLowerInvariant()),
        ["capitalize"] = (_, v, _) => Value.Of(PyString.Capitalize(PyText.Str(v))),
        ["title"] = (_, v, _) => Value.Of(JinjaTitle(PyText.Str(v))),
        ["replace"] = (_, v, a) => Value.Of(Methods.Replace(PyText.Str(v), PyText.Str(Need(a, 0, "old")), PyText.Str(Need(a, 1, "new")),
            a.Arg(2, "count") is { } c and not NoneValue ? Ops.AsLong(c) ?? -1 : -1)),
        ["default"] = (_, v, a) => v is UndefinedValue || a.Arg(1, "boolean")?.IsTrue == true && !v.IsTrue ? a.Arg(0, "default_value") ?? Value.Of("") : v,
        ["string"] = (_, v, _) => v is StringValue ? v : Value.Of(PyText.Str(v)),
        ["safe"] = (_, v, _) => v,
        ["escape"] = (_, v, _) => Value.Of(Escape(PyText.Str(v))),
        ["tojson"] = (_, v, a) => ToJson(v, a),
        ["items"] = (_, v, _) => v switch
        {
            UndefinedValue => new ListValue(),
            DictValue d => new ListValue(d.Items.Select(kv => (Value)new ListValue([kv.Key, kv.Value], true)).ToList()),
            _ => throw new RenderError($"can only get item pairs from a mapping, not {v.TypeName}"),
        },
        ["list"] = (_, v, _) => new ListValue(Ops.Iterate(v)),
        ["first"] = (_, v, _) => Ops.Iterate(v) is { Count: > 0 } l ? l[0] : new UndefinedValue("No first item, sequence was empty."),
        ["last"] = (_, v, _) => Ops.Iterate(v) is { Count: > 0 } l ? l[^1] : new UndefinedValue("No last item, sequence was empty."),
        ["join"] = (r, v, a) => Value.Of(string.Join(PyText.Str(a.Arg(0, "d") ?? Value.Of("")),
            Ops.Iterate(v).Select(x => a.Kw("attribute") is { } at ? AttrGet(x, at) : x).Select(PyText.Str))),
        ["int"] = (_, v, a) => ToInt(v, a),
        ["float"] = (_, v, a) => ToFloat(v, a.Arg(0, "default") ?? Value.Of(0.0)),
        ["abs"] = (_, v, _) => v switch
        {
            IntValue i => Value.Of(Math.Abs(i.V)),
            FloatValue f => Value.Of(Math.Abs(f.V)),
            BoolValue b => Value.Of(b.V ? 1L : 0L),
            _ => throw new RenderError($"bad operand type for abs(): '{v.TypeName}'"),
        },
        ["round"] = (_, v, a) => Round(v, a),
        ["indent"] = (_, v, a) => Value.Of(Indent(PyText.Str(v), a)),
        ["center"] = (_, v, a) => Value.Of(PyString.Center(PyText.Str(v), (int)(Ops.AsLong(a.Arg(0, "width") ?? Value.Of(80L)) ?? 80))),
        ["wordcount"] = (_, v, _) => Value.Of((long)WordRegex().Count(PyText.Str(v))),
        ["reverse"] = (_, v, _) => v switch
        {
            StringValue s => Value.Of(string.Concat(Enumerable.Reverse(Ops.Chars(s.V)))),
            _ => new ListValue(Enumerable.Reverse(Ops.Iterate(v)).ToList()),
        },
        ["unique"] = (_, v, a) => Unique(v, a),
        ["sort"] = (_, v, a) => new ListValue(Sort(Ops.Iterate(v), a.Arg(0, "reverse")?.IsTrue == true, a.Arg(1, "case_sensitive")?.IsTrue == true, a.Arg(2, "attribute"))),
        ["dictsort"] = (_, v, a) => DictSort(v, a),
        ["min"] = (_, v, a) => MinMax(v, a, -1),
        ["max"] = (_, v, a) => MinMax(v, a, 1),
        ["sum"] = (_, v, a) => Ops.Iterate(v).Select(x => a.Arg(0, "attribute") is { } at and not NoneValue ? AttrGet(x, at) : x)
            .Aggregate(a.Arg(1, "start") ?? Value.Of(0L), Ops.Add),
        ["batch"] = (_, v, a) => Batch(v, a),
        ["map"] = (r, v, a) => new ListValue(Map(r, v, a)),
        ["select"] = (r, v, a) => new ListValue(Select(r, v, a, false, true)),
        ["reject"] = (r, v, a) => new ListValue(Select(r, v, a, false, false)),
        ["selectattr"] = (r, v, a) => new ListValue(Select(r, v, a, true, true)),
        ["rejectattr"] = (r, v, a) => new ListValue(Select(r, v, a, true, false)),
        ["attr"] = (_, v, a) => Access.GetAttr(v, PyText.Str(Need(a, 0, "name"))),
        ["format"] = (_, v, a) => Value.Of(PercentFormat.Apply(PyText.Str(v), a.Positional.Count == 1 ? a.Positional[0] is ListValue { IsTuple: true } ? new ListValue([a.Positional[0]], true) : a.Positional[0] : new ListValue(a.Positional, true))),
        ["striptags"] = (_, v, _) => Value.Of(string.Join(' ', PyString.Split(TagRegex().Replace(PyText.Str(v), ""), null, -1))),
        ["truncate"] = (_, v, a) => Truncate(PyText.Str(v), a),
    };

    static FilterRegistry()
    {
        Filters["count"] = Filters["length"];
        Filters["d"] = Filters["default"];
        Filters["e"] = Filters["escape"];
    }

    public static bool Exists(string name) => Filters.ContainsKey(name);

    public static Value Apply(Renderer r, string name, Value v, CallArgs a) =>
        Filters.TryGetValue(name, out var f) ? f(r, v, a) : throw new RenderError($"unknown filter '{name}'");

    private static Value Need(CallArgs a, int i, string name) => a.Arg(i, name) ?? throw new RenderError($"missing argument '{name}'");

    private static string? OptString(Value? v) => v is null or NoneValue ? null : PyText.Str(v);

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordRegex();

    [GeneratedRegex(@"(<!--.*?-->|<[^>]*>)", RegexOptions.Singleline)]
    private static partial Regex TagRegex();

    // Jinja's title filter capitalises words split at whitespace, '-', and opening brackets.
    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginningRegex();

    private static string JinjaTitle(string s) => string.Concat(WordBeginningRegex().Split(s).Where(p => p.Length > 0)
        .Select(p => char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()));

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&#34;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal);

    // transformers' tojson: json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)
    private static Value ToJson(Value v, CallArgs a)
    {
        string? indent = a.Arg(1, "indent") switch
        {
            null or NoneValue => null,
            StringValue s => s.V,
            var n => new string(' ', (int)Math.Max(0, Ops.AsLong(n) ?? 0)),
        };
        string? itemSep = null, keySep = null;
        if (a.Arg(2, "separators") is ListValue { Items.Count: 2 } seps) { itemSep = PyText.Str(seps.Items[0]); keySep = PyText.Str(seps.Items[1]); }
        if (a.Arg(0, "ensure_ascii")?.IsTrue == true) throw new RenderError("tojson(ensure_ascii=True) is not supported");
        return Value.Of(JsonValues.Dumps(v, indent, itemSep, keySep, a.Arg(3, "sort_keys")?.IsTrue == true));
    }

    private static Value ToInt(Value v, CallArgs a)
    {
        var dflt = a.Arg(0, "default") ?? Value.Of(0L);
        int b = (int)(Ops.AsLong(a.Arg(1, "base") ?? Value.Of(10L)) ?? 10);
        switch (v)
        {
            case IntValue: return v;
            case BoolValue bv: return Value.Of(bv.V ? 1L : 0L);
            case FloatValue f: return double.IsFinite(f.V) ? Value.Of((long)Math.Truncate(f.V)) : dflt;
            case StringValue s:
                {
                    string t = s.V.Trim().Replace("_", "", StringComparison.Ordinal);
                    try
                    {
                        if (b == 10 && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return Value.Of(l);
                        if (b != 10) return Value.Of(Convert.ToInt64(t, b));
                    }
                    catch (Exception e) when (e is FormatException or ArgumentException or OverflowException) { return dflt; }
                    return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? Value.Of((long)Math.Truncate(d)) : dflt;
                }
            default: return dflt;
        }
    }

    private static Value ToFloat(Value v, Value dflt) => v switch
    {
        FloatValue => v,
        IntValue i => Value.Of((double)i.V),
        BoolValue b => Value.Of(b.V ? 1.0 : 0.0),
        StringValue s when s.V.Trim().ToLowerInvariant() is "inf" or "+inf" or "infinity" => Value.Of(double.PositiveInfinity),
        StringValue s when s.V.Trim().ToLowerInvariant() is "-inf" or "-infinity" => Value.Of(double.NegativeInfinity),
        StringValue s when s.V.Trim().ToLowerInvariant() is "nan" => Value.Of(double.NaN),
        StringValue s when s.V.Trim().Replace("_", "", StringComparison.Ordinal) is var t && t.Length > 0 && !t.Contains(',')
            && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => Value.Of(d),
        _ => dflt,
    };

    private static Value Round(Value v, CallArgs a)
    {
        int precision = (int)(Ops.AsLong(a.Arg(0, "precision") ?? Value.Of(0L)) ?? 0);
        string method = PyText.Str(a.Arg(1, "method") ?? Value.Of("common"));
        double x = Ops.AsDouble(v), scale = Math.Pow(10, precision);
        return Value.Of(method switch
        {
            "common" => Math.Round(x, Math.Clamp(precision, 0, 15), MidpointRounding.ToEven),
            "ceil" => Math.Ceiling(x * scale) / scale,
            "floor" => Math.Floor(x * scale) / scale,
            _ => throw new RenderError("method must be 'common', 'ceil' or 'floor'"),
        });
    }

    private static string Indent(string s, CallArgs a)
    {
        string ind = a.Arg(0, "width") switch
        {
            null => "    ",
            StringValue w => w.V,
            var n => new string(' ', (int)Math.Max(0, Ops.AsLong(n) ?? 4)),
        };
        bool first = a.Arg(1, "first")?.IsTrue == true, blank = a.Arg(2, "blank")?.IsTrue == true;
        s += "\n";
        var lines = PyString.SplitLines(s, false);
        string rv;
        if (blank) rv = string.Join("\n" + ind, lines);
        else
        {
            rv = lines[0];
            if (lines.Count > 1) rv += "\n" + string.Join("\n", lines.Skip(1).Select(l => l.Length > 0 ? ind + l : l));
        }
        return first ? ind + rv : rv;
    }

    private static Value Truncate(string s, CallArgs a)
    {
        int length = (int)(Ops.AsLong(a.Arg(0, "length") ?? Value.Of(255L)) ?? 255);
        bool killwords = a.Arg(1, "killwords")?.IsTrue == true;
        string end = PyText.Str(a.Arg(2, "end") ?? Value.Of("..."));
        int leeway = (int)(Ops.AsLong(a.Arg(3, "leeway") ?? Value.Of(5L)) ?? 5);
        if (s.Length <= length + leeway) return Value.Of(s);
        if (killwords) return Value.Of(s[..Math.Max(0, length - end.Length)] + end);
        string cut = s[..Math.Max(0, length - end.Length)];
        int sp = cut.LastIndexOf(' ');
        return Value.Of((sp >= 0 ? cut[..sp] : cut) + end);
    }

    /// <summary>Jinja's attribute getter: "a.b.0" walks items (item first, then attribute); ints index lists.</summary>
    public static Value AttrGet(Value item, Value attribute)
    {
        if (Ops.AsLong(attribute) is long n) return Access.GetItem(item, Value.Of(n));
        foreach (var part in PyText.Str(attribute).Split('.'))
        {
            Value key = long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long k) ? Value.Of(k) : Value.Of(part);
            item = Access.GetItem(item, key);
        }
        return item;
    }

    // Sort key with Jinja's case_sensitive=False default: strings compare lowercased.
    private static Value SortKey(Value v, bool caseSensitive) => !caseSensitive && v is StringValue s ? Value.Of(s.V.ToLowerInvariant()) : v;

    private static List<Value> Sort(List<Value> items, bool reverse, bool caseSensitive, Value? attribute)
    {
        Value Key(Value x) => SortKey(attribute is null or NoneValue ? x : AttrGet(x, attribute), caseSensitive);
        var keyed = items.Select(x => (Key: Key(x), Item: x)).ToList();
        // stable sort, as Python's sorted
        var sorted = SortOrder.Run(keyed.Select((p, i) => (p, i)).OrderBy(t => t.p.Key, SortOrder.Ascending).ThenBy(t => t.i).Select(t => t.p.Item));
        if (reverse)
        {
            // Python's reverse sort keeps equal items in original order.
            sorted = SortOrder.Run(keyed.Select((p, i) => (p, i)).OrderByDescending(t => t.p.Key, SortOrder.Ascending).ThenBy(t => t.i).Select(t => t.p.Item));
        }
        return sorted;
    }

    private static Value Unique(Value v, CallArgs a)
    {
        bool cs = a.Arg(0, "case_sensitive")?.IsTrue == true;
        var attribute = a.Arg(1, "attribute");
        var seen = new List<Value>();
        var result = new List<Value>();
        foreach (var x in Ops.Iterate(v))
        {
            var key = SortKey(attribute is null or NoneValue ? x : AttrGet(x, attribute), cs);
            if (seen.Any(s => Ops.Equal(s, key))) continue;
            seen.Add(key);
            result.Add(x);
        }
        return new ListValue(result);
    }

    private static Value DictSort(Value v, CallArgs a)
    {
        if (v is not DictValue d) throw new RenderError($"dictsort needs a mapping, not {v.TypeName}");
        bool cs = a.Arg(0, "case_sensitive")?.IsTrue == true;
        string by = PyText.Str(a.Arg(1, "by") ?? Value.Of("key"));
        bool reverse = a.Arg(2, "reverse")?.IsTrue == true;
        int pos = by == "key" ? 0 : by == "value" ? 1 : throw new RenderError("You can only sort by either 'key' or 'value'");
        var pairs = d.Items.Select(kv => (Value)new ListValue([kv.Key, kv.Value], true)).ToList();
        return new ListValue(Sort(pairs, reverse, cs, Value.Of((long)pos)));
    }

    private static Value MinMax(Value v, CallArgs a, int sign)
    {
        bool cs = a.Arg(0, "case_sensitive")?.IsTrue == true;
        var attribute = a.Arg(1, "attribute");
        var items = Ops.Iterate(v);
        if (items.Count == 0) return new UndefinedValue($"No aggregated item, sequence was empty.");
        Value best = items[0];
        Value Key(Value x) => SortKey(attribute is null or NoneValue ? x : AttrGet(x, attribute), cs);
        foreach (var x in items.Skip(1))
            if (Ops.Compare(Key(x), Key(best), "<") * sign > 0) best = x;
        return best;
    }

    private static Value Batch(Value v, CallArgs a)
    {
        long n = Ops.AsLong(Need(a, 0, "linecount")) ?? throw new RenderError("batch size must be an integer");
        if (n <= 0) throw new RenderError("batch size must be positive");
        var fill = a.Arg(1, "fill_with");
        var result = new List<Value>();
        var cur = new List<Value>();
        foreach (var x in Ops.Iterate(v))
        {
            cur.Add(x);
            if (cur.Count == n) { result.Add(new ListValue(cur)); cur = []; }
        }
        if (cur.Count > 0)
        {
            if (fill is not null and not NoneValue) while (cur.Count < n) cur.Add(fill);
            result.Add(new ListValue(cur));
        }
        return new ListValue(result);
    }

    private static List<Value> Map(Renderer r, Value v, CallArgs a)
    {
        var items = Ops.Iterate(v);
        if (a.Positional.Count == 0)
        {
            var attribute = a.Kw("attribute") ?? throw new RenderError("map needs a filter name or attribute=");
            var dflt = a.Kw("default");
            return items.Select(x => AttrGet(x, attribute) is UndefinedValue u && dflt != null ? dflt : AttrGet(x, attribute)).ToList();
        }
        string name = PyText.Str(a.Positional[0]);
        var rest = new CallArgs(a.Positional.Skip(1).ToList(), a.Named);
        return items.Select(x => Apply(r, name, x, rest)).ToList();
    }

    private static List<Value> Select(Renderer r, Value v, CallArgs a, bool byAttribute, bool keep)
    {
        var args = a.Positional;
        Value? attribute = null;
        if (byAttribute)
        {
            attribute = args.Count > 0 ? args[0] : throw new RenderError("selectattr/rejectattr need an attribute name");
            args = args.Skip(1).ToList();
        }
        string? test = args.Count > 0 ? PyText.Str(args[0]) : null;
        var testArgs = args.Skip(1).ToList();
        var result = new List<Value>();
        foreach (var x in Ops.Iterate(v))
        {
            var subject = attribute != null ? AttrGet(x, attribute) : x;
            bool ok = test == null ? subject.IsTrue : TestRegistry.Run(test, subject, testArgs);
            if (ok == keep) result.Add(x);
        }
        return result;
    }
}
