// A JSON Schema `pattern` (ECMA-262 regex, the common subset: literals, escapes, classes, ., groups, |, quantifiers
// * + ? {m,n}, ^ $ at the ends) as GBNF for the content of a JSON string. The pattern must match the whole string
// (a sound narrowing of the standard's search semantics); characters that JSON must escape come out escaped.
using System.Globalization;

namespace Weft.Inference.Grammar;

internal sealed class RegexGrammar
{
    /// <summary>Characters written as themselves inside a JSON string.</summary>
    private static readonly CharSet s_plain = CharSet.Of([(0x20, CharSet.MaxCodePoint)]).Except(CharSet.Of([('"', '"'), ('\\', '\\'), (0xD800, 0xDFFF)]));

    private readonly string _p;
    private readonly string _path;
    private int _i;
    private int _depth;

    private RegexGrammar(string pattern, string path)
    {
        _p = pattern;
        _path = path;
    }

    public static string ToGbnf(string pattern, string path)
    {
        string body = pattern;
        if (body.StartsWith('^')) body = body[1..];
        if (body.EndsWith('$') && !body.EndsWith("\\$", StringComparison.Ordinal)) body = body[..^1];
        var r = new RegexGrammar(body, path);
        string e = r.Alternatives();
        if (r._i < r._p.Length) throw r.Fail($"unbalanced ')' at offset {r._i}");
        return e;
    }

    private GrammarException Fail(string detail) => GrammarException.Unsupported("pattern", _path, $"{detail} in /{_p}/");

    private bool AtEnd => _i >= _p.Length;

    private string Alternatives()
    {
        var options = new List<string> { Sequence() };
        while (!AtEnd && _p[_i] == '|')
        {
            _i++;
            options.Add(Sequence());
        }
        return options.Count == 1 ? options[0] : "( " + string.Join(" | ", options) + " )";
    }

    private string Sequence()
    {
        var items = new List<string>();
        while (!AtEnd && _p[_i] != '|' && _p[_i] != ')')
        {
            string atom = Atom();
            if (!AtEnd && _p[_i] is '*' or '+' or '?' or '{')
            {
                string? q = Quantifier();
                if (q != null) atom = $"( {atom} ){q}";
            }
            items.Add(atom);
        }
        return items.Count == 0 ? "\"\"" : string.Join(" ", items);
    }

    private string? Quantifier()
    {
        char c = _p[_i];
        string q;
        if (c == '{')
        {
            int close = _p.IndexOf('}', _i);
            if (close < 0) return null; // a literal '{' (as ECMA-262 allows)
            string inner = _p[(_i + 1)..close];
            var parts = inner.Split(',');
            if (parts.Length > 2 || !parts.All(s => s.Length == 0 || s.All(char.IsAsciiDigit)) || parts[0].Length == 0 && parts.Length == 1)
                throw Fail($"bad quantifier {{{inner}}}");
            q = "{" + inner + "}";
            _i = close + 1;
        }
        else
        {
            q = c.ToString();
            _i++;
        }
        if (!AtEnd && _p[_i] == '?') _i++; // lazy: the same language
        if (!AtEnd && _p[_i] is '*' or '+' or '?' or '{') throw Fail("a quantifier follows a quantifier");
        return q;
    }

    private string Atom()
    {
        char c = _p[_i];
        switch (c)
        {
            case '(':
                if (++_depth > GbnfParser.MaxNesting) throw Fail($"groups nest deeper than {GbnfParser.MaxNesting} levels");
                _i++;
                if (!AtEnd && _p[_i] == '?')
                {
                    if (_i + 1 < _p.Length && _p[_i + 1] == ':') _i += 2;
                    else if (_i + 1 < _p.Length && _p[_i + 1] == '<' && _i + 2 < _p.Length && _p[_i + 2] is not '=' and not '!')
                    {
                        int close = _p.IndexOf('>', _i);
                        if (close < 0) throw Fail("unterminated group name");
                        _i = close + 1;
                    }
                    else throw Fail("lookaround assertions are not supported");
                }
                string inner = Alternatives();
                if (AtEnd || _p[_i] != ')') throw Fail("unbalanced '('");
                _i++;
                _depth--;
                return $"( {inner} )";
            case '[':
                return Set(Class());
            case '.':
                _i++;
                return Set(CharSet.Of([('\n', '\n'), ('\r', '\r'), (0x2028, 0x2029)], negated: true));
            case '\\':
                return Escape();
            case '^' or '$':
                throw Fail($"'{c}' is only supported at the start or end of the pattern");
            case '*' or '+' or '?':
                throw Fail($"'{c}' has nothing to repeat");
            default:
                int cp = char.ConvertToUtf32(_p, _i);
                _i += cp > 0xFFFF ? 2 : 1;
                return Char(cp);
        }
    }

    private string Escape()
    {
        _i++;
        if (AtEnd) throw Fail("a trailing backslash");
        char e = _p[_i++];
        if (ClassEscape(e) is CharSet set) return Set(set);
        return e switch
        {
            'b' or 'B' => throw Fail("word boundaries are not supported"),
            >= '1' and <= '9' => throw Fail("back-references are not supported"),
            _ => Char(EscapedChar(e)),
        };
    }

    private int EscapedChar(char e)
    {
        switch (e)
        {
            case 'n': return '\n';
            case 't': return '\t';
            case 'r': return '\r';
            case 'f': return '\f';
            case 'v': return '\v';
            case '0': return 0;
            case 'x': return Hex(2);
            case 'u': return Hex(4);
            default:
                if (char.IsAsciiLetterOrDigit(e)) throw Fail($"escape '\\{e}' is not supported");
                return e;
        }
    }

    private int Hex(int n)
    {
        if (_i + n > _p.Length || !int.TryParse(_p.AsSpan(_i, n), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int v))
            throw Fail("a bad hex escape");
        _i += n;
        return v;
    }

    private static CharSet? ClassEscape(char e) => e switch
    {
        'd' => CharSet.Of([('0', '9')]),
        'D' => CharSet.Of([('0', '9')], negated: true),
        'w' => CharSet.Of([('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')]),
        'W' => CharSet.Of([('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')], negated: true),
        's' => CharSet.Of([(' ', ' '), ('\t', '\r'), (0xA0, 0xA0), (0x2028, 0x2029), (0xFEFF, 0xFEFF)]),
        'S' => CharSet.Of([(' ', ' '), ('\t', '\r'), (0xA0, 0xA0), (0x2028, 0x2029), (0xFEFF, 0xFEFF)], negated: true),
        _ => null,
    };

    private CharSet Class()
    {
        _i++; // [
        bool negated = !AtEnd && _p[_i] == '^';
        if (negated) _i++;
        var ranges = new List<(int, int)>();
        bool first = true;
        while (true)
        {
            if (AtEnd) throw Fail("unbalanced '['");
            char c = _p[_i];
            if (c == ']' && !first) { _i++; break; }
            first = false;
            if (c == '\\' && _i + 1 < _p.Length && ClassEscape(_p[_i + 1]) is CharSet set)
            {
                _i += 2;
                ranges.AddRange(set.Ranges);
                continue;
            }
            int lo = ClassChar();
            int hi = lo;
            if (_i + 1 < _p.Length && _p[_i] == '-' && _p[_i + 1] != ']')
            {
                _i++;
                hi = ClassChar();
                if (hi < lo) throw Fail("a reversed range");
            }
            ranges.Add((lo, hi));
        }
        return CharSet.Of(ranges, negated);
    }

    private int ClassChar()
    {
        if (_p[_i] == '\\')
        {
            _i++;
            if (AtEnd) throw Fail("a trailing backslash");
            char e = _p[_i++];
            return e == 'b' ? '\b' : EscapedChar(e);
        }
        int cp = char.ConvertToUtf32(_p, _i);
        _i += cp > 0xFFFF ? 2 : 1;
        return cp;
    }

    /// <summary>A set of characters as JSON string content: plain characters as themselves, the rest escaped.</summary>
    private static string Set(CharSet set)
    {
        var parts = new List<string>();
        var plain = set.Except(CharSet.Of([(0, 0x1F), ('"', '"'), ('\\', '\\'), (0xD800, 0xDFFF)]));
        if (!plain.IsEmpty) parts.Add(plain.ToGbnf());
        foreach (int c in new[] { '"', '\\', '\n', '\t', '\r', '\b', '\f' })
            if (set.Contains(c)) parts.Add(Char(c));
        if (parts.Count == 0) return "[^\\x00-\\U0010FFFF]"; // matches nothing
        return parts.Count == 1 ? parts[0] : "( " + string.Join(" | ", parts) + " )";
    }

    /// <summary>One character as JSON string content.</summary>
    private static string Char(int c)
    {
        if (s_plain.Contains(c)) return JsonGrammarRules.Literal(char.ConvertFromUtf32(c));
        string escaped = c switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            '\b' => "\\b",
            '\f' => "\\f",
            _ => "\\u" + c.ToString("x4", CultureInfo.InvariantCulture),
        };
        return JsonGrammarRules.Literal(escaped);
    }
}
