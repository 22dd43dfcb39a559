// JSON Schema -> GBNF: each schema becomes a rule over the JSON grammar (JsonGrammarRules); $ref becomes a rule
// reference (recursion included). Keywords it cannot enforce are errors naming the keyword; annotations are ignored.
// Narrowings (sound: every instance generated validates): object properties come in the schema's order, absent
// additionalProperties allows no extra keys beside declared properties, prefixItems are all present, a pattern
// must match the whole string, oneOf is generated as anyOf (keep its branches disjoint).
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Weft.Inference.Grammar;

internal sealed class JsonSchemaGrammar
{
    public const string AnyObjectGbnf = "root ::= object\n" + "ws ::= [ \\t\\n\\r]{0,24}\n"
        + "value ::= object | array | string | number | boolean | null\n"
        + "object ::= \"{\" ws ( string ws \":\" ws value ws ( \",\" ws string ws \":\" ws value ws )* )? \"}\"\n"
        + "array ::= \"[\" ws ( value ws ( \",\" ws value ws )* )? \"]\"\n"
        + "string ::= \"\\\"\" char* \"\\\"\"\n"
        + "char ::= [^\"\\\\\\x00-\\x1F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" ( [0-9a-cA-Ce-fE-F] hex{3} | [dD] [0-7] hex{2} ) )\n"
        + "hex ::= [0-9a-fA-F]\n"
        + "integer ::= \"-\"? ( \"0\" | [1-9] [0-9]{0,15} )\n"
        + "number ::= integer ( \".\" [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )?\n"
        + "boolean ::= \"true\" | \"false\"\n"
        + "null ::= \"null\"\n";

    private static readonly HashSet<string> s_annotations = new(StringComparer.Ordinal)
    {
        "title", "description", "examples", "default", "$schema", "$id", "$comment", "deprecated", "readOnly", "writeOnly",
        "$defs", "definitions",
        // OpenAPI's flag, not JSON Schema: validators ignore it, so null is not added (write type: [T, "null"])
        "nullable",
    };

    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        "type", "properties", "required", "additionalProperties", "items", "prefixItems", "minItems", "maxItems",
        "enum", "const", "anyOf", "oneOf", "allOf", "$ref", "minLength", "maxLength", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    };

    /// <summary>Longest declared name kept apart from extra keys (the key grammar has a rule per character).</summary>
    private const int MaxKeyLength = 200;

    private readonly JsonElement _root;
    private readonly List<(string Name, string Body)> _rules = [];
    private readonly Dictionary<string, string> _byBody = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _primitives = new(StringComparer.Ordinal);

    private JsonSchemaGrammar(JsonElement root) => _root = root;

    public static string ToGbnf(string schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(schema);
        }
        catch (JsonException e)
        {
            throw new GrammarException($"the JSON Schema is not valid JSON: {e.Message}", e);
        }
        using (doc) return ToGbnf(doc.RootElement);
    }

    public static string ToGbnf(JsonElement schema)
    {
        var g = new JsonSchemaGrammar(schema);
        g._names.Add("root");
        string root = g.Visit(schema, "#");
        var sb = new StringBuilder();
        sb.Append("root ::= ").Append(root).Append('\n');
        foreach (var (name, body) in g._rules) sb.Append(name).Append(" ::= ").Append(body).Append('\n');
        var needed = new SortedSet<string>(g._primitives, StringComparer.Ordinal);
        var queue = new Queue<string>(needed);
        while (queue.Count > 0)
            if (JsonGrammarRules.Uses.TryGetValue(queue.Dequeue(), out var uses))
                foreach (string u in uses)
                    if (needed.Add(u)) queue.Enqueue(u);
        foreach (string p in needed) sb.Append(p).Append(" ::= ").Append(JsonGrammarRules.Primitives[p]).Append('\n');
        return sb.ToString();
    }

    private string Use(string primitive)
    {
        _primitives.Add(primitive);
        return primitive;
    }

    /// <summary>A rule for <paramref name="body"/> (an existing one when the same body was made before).</summary>
    private string Rule(string hint, string body)
    {
        if (_byBody.TryGetValue(body, out string? existing)) return existing;
        string name = FreshName(hint);
        _rules.Add((name, body));
        _byBody[body] = name;
        return name;
    }

    private string FreshName(string hint)
    {
        var sb = new StringBuilder();
        foreach (char c in hint)
            sb.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        string stem = sb.ToString().Trim('-');
        while (stem.Contains("--", StringComparison.Ordinal)) stem = stem.Replace("--", "-", StringComparison.Ordinal);
        if (stem.Length == 0 || JsonGrammarRules.Primitives.ContainsKey(stem) || stem == "root") stem = "s-" + stem;
        if (stem.Length > 40) stem = stem[..40].TrimEnd('-');
        string name = stem;
        for (int i = 2; !_names.Add(name); i++) name = $"{stem}-{i}";
        return name;
    }

    private string Visit(JsonElement s, string path)
    {
        if (s.ValueKind == JsonValueKind.True) return Use("value");
        if (s.ValueKind == JsonValueKind.False) throw GrammarException.Unsupported("false", path, "a schema that allows nothing");
        if (s.ValueKind != JsonValueKind.Object) throw new GrammarException($"the schema at {path} is neither an object nor a boolean");
        foreach (var p in s.EnumerateObject())
            if (!s_keywords.Contains(p.Name) && !s_annotations.Contains(p.Name)) throw GrammarException.Unsupported(p.Name, path);

        var constraints = s.EnumerateObject().Where(p => s_keywords.Contains(p.Name)).Select(p => p.Name).ToList();
        if (s.TryGetProperty("$ref", out var reference))
        {
            if (constraints.Count > 1) throw GrammarException.Unsupported("$ref", path, "beside other constraint keywords (" + string.Join(", ", constraints.Where(c => c != "$ref")) + ")");
            return Ref(reference, path);
        }
        if (s.TryGetProperty("const", out var constant)) return Rule(Hint(path, "const"), JsonGrammarRules.Literal(Compact(constant)));
        if (s.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0) throw GrammarException.Unsupported("enum", path, "not a non-empty array");
            return Rule(Hint(path, "enum"), string.Join(" | ", values.EnumerateArray().Select(v => JsonGrammarRules.Literal(Compact(v)))));
        }
        foreach (string combinator in new[] { "anyOf", "oneOf" })
        {
            if (!s.TryGetProperty(combinator, out var options)) continue;
            if (constraints.Count > 1) throw GrammarException.Unsupported(combinator, path, "beside other constraint keywords");
            if (options.ValueKind != JsonValueKind.Array || options.GetArrayLength() == 0) throw GrammarException.Unsupported(combinator, path, "not a non-empty array");
            var alts = options.EnumerateArray().Select((o, i) => Visit(o, $"{path}/{combinator}/{i}")).ToList();
            return Rule(Hint(path, combinator), string.Join(" | ", alts));
        }
        if (s.TryGetProperty("allOf", out var all))
        {
            if (constraints.Count > 1) throw GrammarException.Unsupported("allOf", path, "beside other constraint keywords");
            return AllOf(all, path);
        }

        var types = Types(s, path);
        var bodies = types.Select(t => TypeExpression(s, t, path)).ToList();
        return bodies.Count == 1 && IsName(bodies[0]) ? bodies[0] : Rule(Hint(path, string.Join("-", types)), string.Join(" | ", bodies));
    }

    private static bool IsName(string e) => e.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static string Hint(string path, string what)
    {
        int cut = path.LastIndexOf('/');
        string last = cut >= 0 ? path[(cut + 1)..] : "";
        return last.Length == 0 || last.All(char.IsAsciiDigit) ? what : last;
    }

    private static List<string> Types(JsonElement s, string path)
    {
        if (s.TryGetProperty("type", out var type))
        {
            var list = type.ValueKind switch
            {
                JsonValueKind.String => [type.GetString()!],
                JsonValueKind.Array => type.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString()! : throw GrammarException.Unsupported("type", path, "a non-string entry")).ToList(),
                _ => throw GrammarException.Unsupported("type", path, "neither a string nor an array"),
            };
            foreach (string t in list)
                if (t is not ("string" or "number" or "integer" or "boolean" or "null" or "object" or "array"))
                    throw GrammarException.Unsupported("type", path, $"unknown type '{t}'");
            return list.Distinct().ToList();
        }
        bool Has(params string[] keys) => keys.Any(k => s.TryGetProperty(k, out _));
        if (Has("properties", "required", "additionalProperties")) return ["object"];
        if (Has("items", "prefixItems", "minItems", "maxItems")) return ["array"];
        if (Has("minLength", "maxLength", "pattern", "format")) return ["string"];
        if (Has("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) return ["number"];
        return ["any"];
    }

    private string TypeExpression(JsonElement s, string type, string path) => type switch
    {
        "any" => Use("value"),
        "null" => Use("null"),
        "boolean" => Use("boolean"),
        "string" => StringExpression(s, path),
        "integer" => IntegerExpression(s, path),
        "number" => NumberExpression(s, path),
        "object" => ObjectExpression(s, path),
        _ => ArrayExpression(s, path),
    };

    private string Ref(JsonElement reference, string path)
    {
        string target = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : throw GrammarException.Unsupported("$ref", path, "not a string");
        if (_refs.TryGetValue(target, out string? known)) return known;
        if (!target.StartsWith('#')) throw GrammarException.Unsupported("$ref", path, $"only references inside the schema (#/...) are supported, not '{target}'");
        var node = _root;
        foreach (string raw in target[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string key = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(key, out var child)) node = child;
            else if (node.ValueKind == JsonValueKind.Array && int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < node.GetArrayLength()) node = node[i];
            else throw GrammarException.Unsupported("$ref", path, $"'{target}' does not resolve inside the schema");
        }
        // named before it is visited, so that a recursive reference finds the name
        string name = FreshName("ref-" + (target.Length > 1 ? target[(target.LastIndexOf('/') + 1)..] : "root"));
        _refs[target] = name;
        string body = Visit(node, target);
        _rules.Add((name, body));
        return name;
    }

    private static string Compact(JsonElement value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) value.WriteTo(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static int? Count(JsonElement s, string key, string path)
    {
        if (!s.TryGetProperty(key, out var v)) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int n) || n < 0) throw GrammarException.Unsupported(key, path, "not a non-negative integer");
        if (n > GbnfParser.MaxRepetition) throw GrammarException.Unsupported(key, path, $"above the supported {GbnfParser.MaxRepetition}");
        return n;
    }

    private static string Repeat(string item, int min, int? max) =>
        max == null ? (min == 0 ? $"{item}*" : $"{item}{{{min},}}") : min == max ? $"{item}{{{min}}}" : $"{item}{{{min},{max}}}";

    private string StringExpression(JsonElement s, string path)
    {
        int? minLength = Count(s, "minLength", path), maxLength = Count(s, "maxLength", path);
        if (minLength > maxLength) throw GrammarException.Unsupported("minLength", path, "above maxLength");
        bool hasLength = minLength != null || maxLength != null;
        if (s.TryGetProperty("format", out var format))
        {
            string f = format.GetString() ?? "";
            if (!JsonGrammarRules.Formats.Contains(f)) throw GrammarException.Unsupported("format", path, $"format '{f}' (supported: {string.Join(", ", JsonGrammarRules.Formats)})");
            if (hasLength || s.TryGetProperty("pattern", out _)) throw GrammarException.Unsupported("format", path, "together with minLength, maxLength or pattern");
            return Rule(Hint(path, f), $"\"\\\"\" {Use(f)} \"\\\"\"");
        }
        if (s.TryGetProperty("pattern", out var pattern))
        {
            if (hasLength) throw GrammarException.Unsupported("pattern", path, "together with minLength or maxLength");
            if (pattern.ValueKind != JsonValueKind.String) throw GrammarException.Unsupported("pattern", path, "not a string");
            return Rule(Hint(path, "pattern"), $"\"\\\"\" {RegexGrammar.ToGbnf(pattern.GetString()!, path)} \"\\\"\"");
        }
        if (!hasLength) return Use("string");
        return Rule(Hint(path, "string"), $"\"\\\"\" {Repeat(Use("char"), minLength ?? 0, maxLength)} \"\\\"\"");
    }

    private static (double? Value, bool Exclusive) Bound(JsonElement s, string inclusive, string exclusive, string path)
    {
        double? value = null;
        bool isExclusive = false;
        if (s.TryGetProperty(inclusive, out var inc))
            value = inc.ValueKind == JsonValueKind.Number ? inc.GetDouble() : throw GrammarException.Unsupported(inclusive, path, "not a number");
        if (s.TryGetProperty(exclusive, out var exc))
        {
            if (exc.ValueKind == JsonValueKind.True) isExclusive = value != null; // draft 4: a flag on minimum/maximum
            else if (exc.ValueKind == JsonValueKind.False) { }
            else if (exc.ValueKind == JsonValueKind.Number)
            {
                double e = exc.GetDouble();
                bool lower = inclusive == "minimum";
                // the tighter of the two bounds
                if (value == null || (lower ? e >= value : e <= value)) { value = e; isExclusive = true; }
            }
            else throw GrammarException.Unsupported(exclusive, path, "neither a number nor a boolean");
        }
        return (value, isExclusive);
    }

    private string IntegerExpression(JsonElement s, string path)
    {
        var (lo, loEx) = Bound(s, "minimum", "exclusiveMinimum", path);
        var (hi, hiEx) = Bound(s, "maximum", "exclusiveMaximum", path);
        if (lo == null && hi == null) return Use("integer");
        long? a = lo == null ? null : Whole(loEx ? Math.Floor(lo.Value) + 1 : Math.Ceiling(lo.Value), "minimum", path);
        long? b = hi == null ? null : Whole(hiEx ? Math.Ceiling(hi.Value) - 1 : Math.Floor(hi.Value), "maximum", path);
        string body = NumberRangeRules.Integers(a, b) ?? throw GrammarException.Unsupported("minimum", path, "the bounds leave no integer");
        if (body.Contains("integer", StringComparison.Ordinal)) Use("integer");
        return Rule(Hint(path, "integer"), body);
    }

    private static long Whole(double v, string keyword, string path) =>
        Math.Abs(v) <= NumberRangeRules.MaxBound ? (long)v : throw GrammarException.Unsupported(keyword, path, $"beyond ±{NumberRangeRules.MaxBound}");

    private string NumberExpression(JsonElement s, string path)
    {
        var (lo, loEx) = Bound(s, "minimum", "exclusiveMinimum", path);
        var (hi, hiEx) = Bound(s, "maximum", "exclusiveMaximum", path);
        if (lo == null && hi == null) return Use("number");
        if (lo is double l && Math.Abs(l) > NumberRangeRules.MaxBound) throw GrammarException.Unsupported("minimum", path, $"beyond ±{NumberRangeRules.MaxBound}");
        if (hi is double h && Math.Abs(h) > NumberRangeRules.MaxBound) throw GrammarException.Unsupported("maximum", path, $"beyond ±{NumberRangeRules.MaxBound}");
        string body = NumberRangeRules.Numbers(lo, loEx, hi, hiEx) ?? throw GrammarException.Unsupported("minimum", path, "the bounds leave no number with at most 16 fraction digits");
        if (body.Contains("integer", StringComparison.Ordinal)) Use("integer");
        if (body.Contains("frac", StringComparison.Ordinal)) Use("frac");
        return Rule(Hint(path, "number"), body);
    }

    private string ArrayExpression(JsonElement s, string path)
    {
        int min = Count(s, "minItems", path) ?? 0;
        int? max = Count(s, "maxItems", path);
        if (min > max) throw GrammarException.Unsupported("minItems", path, "above maxItems");
        var prefix = new List<string>();
        if (s.TryGetProperty("prefixItems", out var pre))
        {
            if (pre.ValueKind != JsonValueKind.Array) throw GrammarException.Unsupported("prefixItems", path, "not an array");
            int i = 0;
            foreach (var item in pre.EnumerateArray()) prefix.Add(Visit(item, $"{path}/prefixItems/{i++}"));
            if (max < prefix.Count) throw GrammarException.Unsupported("prefixItems", path, "more items than maxItems allows");
        }
        string? item1 = null; // the schema of items after the prefix; null: none may follow
        if (s.TryGetProperty("items", out var items))
        {
            if (items.ValueKind != JsonValueKind.False) item1 = Visit(items, path + "/items");
        }
        else if (prefix.Count == 0 || min > prefix.Count) item1 = Use("value");
        Use("ws");
        int k = prefix.Count;
        int extraMin = Math.Max(0, min - k);
        int? extraMax = item1 == null ? 0 : max - k;
        if (item1 == null && extraMin > 0) throw GrammarException.Unsupported("minItems", path, "more items than prefixItems gives with items: false");
        var sb = new StringBuilder("\"[\" ws");
        for (int i = 0; i < k; i++) sb.Append(i == 0 ? " " : " \",\" ws ").Append(prefix[i]).Append(" ws");
        if (extraMax != 0 && item1 != null)
        {
            string more = $"( \",\" ws {item1} ws )";
            if (k > 0) sb.Append(' ').Append(Repeat(more, extraMin, extraMax));
            else
            {
                string list = $"{item1} ws" + (extraMax == 1 ? "" : " " + Repeat(more, Math.Max(0, extraMin - 1), extraMax - 1));
                sb.Append(extraMin == 0 ? $" ( {list} )?" : " " + list);
            }
        }
        sb.Append(" \"]\"");
        return Rule(Hint(path, "array"), sb.ToString());
    }

    private string ObjectExpression(JsonElement s, string path)
    {
        var properties = new List<(string Name, JsonElement Schema)>();
        if (s.TryGetProperty("properties", out var props))
        {
            if (props.ValueKind != JsonValueKind.Object) throw GrammarException.Unsupported("properties", path, "not an object");
            foreach (var p in props.EnumerateObject()) properties.Add((p.Name, p.Value));
        }
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (s.TryGetProperty("required", out var req))
        {
            if (req.ValueKind != JsonValueKind.Array) throw GrammarException.Unsupported("required", path, "not an array");
            foreach (var r in req.EnumerateArray()) required.Add(r.GetString() ?? throw GrammarException.Unsupported("required", path, "a non-string entry"));
        }
        JsonElement? additional = s.TryGetProperty("additionalProperties", out var ap) ? ap : null;
        return BuildObject(properties, required, additional, path);
    }

    private string BuildObject(List<(string Name, JsonElement Schema)> properties, HashSet<string> required, JsonElement? additional, string path)
    {
        foreach (string r in required)
            if (!properties.Any(p => p.Name == r) && additional is not { ValueKind: JsonValueKind.True })
                throw GrammarException.Unsupported("required", path, $"'{r}' is required but not among the properties");
        // no properties and no additionalProperties: any object
        if (properties.Count == 0 && additional == null) return Use("object");
        string? extra = null;
        if (additional is { } a && a.ValueKind != JsonValueKind.False)
        {
            string value = Visit(a, path + "/additionalProperties");
            extra = Rule(Hint(path, "extra") + "-kv", $"{OtherKey(properties.Select(p => p.Name), path)} {Use("ws")} \":\" ws {value} ws");
        }
        Use("ws");
        var kvs = properties.Select(p => Rule(p.Name + "-kv", $"{JsonGrammarRules.Literal(Compact(JsonSerializer.SerializeToElement(p.Name)))} ws \":\" ws {Visit(p.Schema, $"{path}/properties/{p.Name}")} ws")).ToList();
        string stem = Hint(path, "object");
        // tail(i): properties i.. after at least one was written (each needs a comma); head(i): before any was
        int n = kvs.Count;
        var tail = new string[n + 1];
        var head = new string[n + 1];
        tail[n] = extra == null ? "" : $"( \",\" ws {extra} )*";
        head[n] = extra == null ? "" : $"( {extra} {tail[n]} )?";
        for (int i = n - 1; i >= 0; i--)
        {
            bool must = required.Contains(properties[i].Name);
            string rest = tail[i + 1];
            tail[i] = Rule($"{stem}-tail", must ? $"\",\" ws {kvs[i]} {rest}".TrimEnd() : $"( \",\" ws {kvs[i]} )? {rest}".TrimEnd());
            head[i] = Rule($"{stem}-head", must ? $"{kvs[i]} {rest}".TrimEnd() : $"{kvs[i]} {rest}".TrimEnd() + $" | {(head[i + 1].Length == 0 ? "\"\"" : head[i + 1])}");
        }
        return Rule(stem, $"\"{{\" ws {head[0]} \"}}\"");
    }

    /// <summary>A JSON string that is none of <paramref name="names"/> (a trie of the names: leaving it at any
    /// character makes any string; an escape also leaves it).</summary>
    private string OtherKey(IEnumerable<string> names, string path)
    {
        var plain = names.Where(n => n.All(c => c >= 0x20 && c != '"' && c != '\\')).Distinct().ToList();
        if (plain.Any(n => n.Length > MaxKeyLength))
            throw GrammarException.Unsupported("additionalProperties", path, $"beside property names longer than {MaxKeyLength} characters");
        Use("char");
        if (plain.Count == 0) return Use("string");
        string free = Rule("free-key-rest", $"{Use("char")}* \"\\\"\"");
        string Node(string prefix)
        {
            var next = plain.Where(n => n.Length > prefix.Length && n.StartsWith(prefix, StringComparison.Ordinal)).Select(n => n[prefix.Length]).Distinct().Order().ToList();
            bool word = plain.Contains(prefix);
            var alts = new List<string>();
            if (!word) alts.Add("\"\\\"\"");
            foreach (char c in next) alts.Add($"{JsonGrammarRules.Literal(c.ToString())} {Node(prefix + c)}");
            var others = CharSet.Of([(0, 0x1F), ('"', '"'), ('\\', '\\'), .. next.Select(c => ((int)c, (int)c))], negated: true);
            alts.Add($"{others.ToGbnf()} {free}");
            alts.Add($"\"\\\\\" ( [\"\\\\/bfnrt] | \"u\" ( [0-9a-cA-Ce-fE-F] {Use("hex")}{{3}} | [dD] [0-7] hex{{2}} ) ) {free}");
            return Rule(Hint(path, "key"), string.Join(" | ", alts));
        }
        return Rule(Hint(path, "other-key"), $"\"\\\"\" {Node("")}");
    }

    private string AllOf(JsonElement all, string path)
    {
        if (all.ValueKind != JsonValueKind.Array || all.GetArrayLength() == 0) throw GrammarException.Unsupported("allOf", path, "not a non-empty array");
        if (all.GetArrayLength() == 1) return Visit(all[0], path + "/allOf/0");
        var properties = new List<(string Name, JsonElement Schema)>();
        var required = new HashSet<string>(StringComparer.Ordinal);
        JsonElement? additional = null;
        int i = 0;
        foreach (var part in all.EnumerateArray())
        {
            string at = $"{path}/allOf/{i++}";
            var s = Resolve(part, at);
            if (s.ValueKind != JsonValueKind.Object) throw GrammarException.Unsupported("allOf", at, "only objects can be combined");
            foreach (var p in s.EnumerateObject())
                if (p.Name is not ("type" or "properties" or "required" or "additionalProperties") && !s_annotations.Contains(p.Name))
                    throw GrammarException.Unsupported("allOf", at, $"only object schemas (type, properties, required, additionalProperties) can be combined, not '{p.Name}'");
            if (s.TryGetProperty("type", out var t) && !(t.ValueKind == JsonValueKind.String && t.GetString() == "object"))
                throw GrammarException.Unsupported("allOf", at, "only objects can be combined");
            if (s.TryGetProperty("properties", out var props))
                foreach (var p in props.EnumerateObject())
                {
                    if (properties.Any(q => q.Name == p.Name)) throw GrammarException.Unsupported("allOf", at, $"property '{p.Name}' is defined by two parts");
                    properties.Add((p.Name, p.Value));
                }
            if (s.TryGetProperty("required", out var req))
                foreach (var r in req.EnumerateArray()) required.Add(r.GetString()!);
            if (s.TryGetProperty("additionalProperties", out var ap))
            {
                if (ap.ValueKind != JsonValueKind.False) throw GrammarException.Unsupported("allOf", at, "additionalProperties other than false in a combined part");
                additional = ap;
            }
        }
        additional ??= JsonSerializer.SerializeToElement(false);
        return BuildObject(properties, required, additional, path);
    }

    private JsonElement Resolve(JsonElement s, string path)
    {
        for (int hops = 0; s.ValueKind == JsonValueKind.Object && s.TryGetProperty("$ref", out var r); hops++)
        {
            if (hops > 32) throw GrammarException.Unsupported("$ref", path, "a chain of references that does not end");
            string target = r.GetString() ?? "";
            if (!target.StartsWith('#')) throw GrammarException.Unsupported("$ref", path, $"only references inside the schema (#/...) are supported, not '{target}'");
            var node = _root;
            foreach (string key in target[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
                node = node.ValueKind == JsonValueKind.Object && node.TryGetProperty(key, out var child) ? child : throw GrammarException.Unsupported("$ref", path, $"'{target}' does not resolve");
            s = node;
        }
        return s;
    }
}
