// JSON in and out: System.Text.Json elements as template values, and Python's json.dumps(ensure_ascii=False) for `tojson`.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Weft.Inference.Templates;

public static class JsonValues
{
    /// <summary>A JSON element as a template value: objects keep key order; integral numbers become int, others float.</summary>
    public static Value FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => FromObject(e),
        JsonValueKind.Array => new ListValue(e.EnumerateArray().Select(FromJson).ToList()),
        JsonValueKind.String => Value.Of(e.GetString()!),
        JsonValueKind.Number => IsIntegerLiteral(e.GetRawText()) && e.TryGetInt64(out long l) ? Value.Of(l) : Value.Of(e.GetDouble()),
        JsonValueKind.True => Value.True,
        JsonValueKind.False => Value.False,
        _ => Value.None,
    };

    private static bool IsIntegerLiteral(string raw) => raw.All(c => char.IsAsciiDigit(c) || c == '-');

    private static DictValue FromObject(JsonElement e)
    {
        var d = new DictValue();
        foreach (var p in e.EnumerateObject()) d.Set(p.Name, FromJson(p.Value));
        return d;
    }

    /// <summary>Python's json.dumps(v, ensure_ascii=False, indent=…, separators=…, sort_keys=…).</summary>
    public static string Dumps(Value v, string? indent = null, string? itemSep = null, string? keySep = null, bool sortKeys = false)
    {
        var sb = new StringBuilder();
        itemSep ??= indent != null ? "," : ", ";
        keySep ??= ": ";
        Write(sb, v, indent, itemSep, keySep, sortKeys, 0);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, Value v, string? indent, string itemSep, string keySep, bool sortKeys, int depth)
    {
        if (depth > 200) throw new RenderError("value nested too deeply for tojson");
        switch (v)
        {
            case NoneValue: sb.Append("null"); break;
            case BoolValue b: sb.Append(b.V ? "true" : "false"); break;
            case IntValue i: sb.Append(i.V.ToString(CultureInfo.InvariantCulture)); break;
            case FloatValue f:
                sb.Append(double.IsNaN(f.V) ? "NaN" : double.IsPositiveInfinity(f.V) ? "Infinity" : double.IsNegativeInfinity(f.V) ? "-Infinity" : PyText.Float(f.V));
                break;
            case StringValue s: WriteString(sb, s.V); break;
            case ListValue l:
                if (l.Items.Count == 0) { sb.Append("[]"); break; }
                sb.Append('[');
                for (int k = 0; k < l.Items.Count; k++)
                {
                    if (k > 0) sb.Append(itemSep);
                    NewLine(sb, indent, depth + 1);
                    Write(sb, l.Items[k], indent, itemSep, keySep, sortKeys, depth + 1);
                }
                NewLine(sb, indent, depth);
                sb.Append(']');
                break;
            case DictValue d:
                {
                    if (d.Items.Count == 0) { sb.Append("{}"); break; }
                    sb.Append('{');
                    IEnumerable<KeyValuePair<Value, Value>> items = d.Items;
                    if (sortKeys) items = SortOrder.Run(items.OrderBy(kv => kv.Key, SortOrder.Ascending));
                    bool first = true;
                    foreach (var kv in items)
                    {
                        if (!first) sb.Append(itemSep);
                        first = false;
                        NewLine(sb, indent, depth + 1);
                        WriteString(sb, kv.Key switch
                        {
                            StringValue ks => ks.V,
                            IntValue or FloatValue => PyText.Str(kv.Key),
                            BoolValue kb => kb.V ? "true" : "false",
                            NoneValue => "null",
                            _ => throw new RenderError($"keys must be str, int, float, bool or None, not {kv.Key.TypeName}"),
                        });
                        sb.Append(keySep);
                        Write(sb, kv.Value, indent, itemSep, keySep, sortKeys, depth + 1);
                    }
                    NewLine(sb, indent, depth);
                    sb.Append('}');
                    break;
                }
            case NamespaceValue or CallableValue or UndefinedValue:
                throw new RenderError($"Object of type {v.TypeName} is not JSON serializable");
        }
    }

    private static void NewLine(StringBuilder sb, string? indent, int depth)
    {
        if (indent == null) return;
        sb.Append('\n');
        for (int k = 0; k < depth; k++) sb.Append(indent);
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
