// Splits template source into text and tag tokens with Jinja2's whitespace rules (trim_blocks, lstrip_blocks, '-', '+').
using System.Globalization;
using System.Text;

namespace Weft.Inference.Templates;

internal enum TokenKind { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, Eof }

internal readonly record struct Token(TokenKind Kind, string Text, int Line, Value? Literal = null)
{
    public bool Is(TokenKind kind, string text) => Kind == kind && Text == text;
    public bool IsOp(string op) => Kind == TokenKind.Op && Text == op;
    public bool IsName(string name) => Kind == TokenKind.Name && Text == name;
}

internal sealed class Lexer
{
    private readonly string _src;
    private readonly string? _name;
    private readonly int[] _lineStarts;
    private readonly List<Token> _tokens = [];
    private int _pos;

    private Lexer(string source, string? name)
    {
        // Jinja2 reads every newline form as "\n" and drops one trailing newline (keep_trailing_newline=False).
        var s = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (s.EndsWith('\n')) s = s[..^1];
        _src = s;
        _name = name;
        var starts = new List<int> { 0 };
        for (int i = 0; i < s.Length; i++) if (s[i] == '\n') starts.Add(i + 1);
        _lineStarts = [.. starts];
    }

    public static List<Token> Tokenize(string source, string? name)
    {
        var lexer = new Lexer(source, name);
        lexer.Run();
        return lexer._tokens;
    }

    private int LineAt(int pos)
    {
        int i = Array.BinarySearch(_lineStarts, pos);
        return (i >= 0 ? i : ~i - 1) + 1;
    }

    private TemplateException Error(string reason, int pos) => new(reason, _name, LineAt(pos));

    private void Run()
    {
        while (_pos < _src.Length)
        {
            int k = NextTagStart(_pos);
            string text = _src[_pos..k];
            bool lineStarting = _pos == 0 || _src[_pos - 1] == '\n';
            if (k >= _src.Length)
            {
                AddText(text, _pos);
                _pos = k;
                break;
            }
            char kind = _src[k + 1];
            char sign = k + 2 < _src.Length && _src[k + 2] is '-' or '+' ? _src[k + 2] : '\0';
            if (sign == '-') text = text.TrimEnd();
            else if (sign != '+' && kind != '{')
            {
                // lstrip_blocks: drop spaces/tabs between the line start and a block or comment tag.
                int l = text.LastIndexOf('\n') + 1;
                if ((l > 0 || lineStarting) && l < text.Length && text.AsSpan(l).Trim().IsEmpty) text = text[..l];
            }
            AddText(text, _pos);
            int inner = k + 2 + (sign != '\0' ? 1 : 0);
            if (kind == '#') ReadComment(k, inner);
            else if (kind == '%' && TryReadRaw(k, inner)) { }
            else ReadTag(k, inner, kind == '{');
        }
        _tokens.Add(new Token(TokenKind.Eof, "", LineAt(_src.Length)));
    }

    private void AddText(string text, int pos)
    {
        if (text.Length > 0) _tokens.Add(new Token(TokenKind.Text, text, LineAt(pos)));
    }

    private int NextTagStart(int from)
    {
        for (int i = from; i + 1 < _src.Length; i++)
            if (_src[i] == '{' && _src[i + 1] is '{' or '%' or '#') return i;
        return _src.Length;
    }

    /// <summary>After a tag's closing marker: '-' eats following whitespace, else trim_blocks eats one newline.</summary>
    private void AfterClose(int closeEnd, char sign, bool trimNewline)
    {
        _pos = closeEnd;
        if (sign == '-') while (_pos < _src.Length && char.IsWhiteSpace(_src[_pos])) _pos++;
        else if (trimNewline && sign != '+' && _pos < _src.Length && _src[_pos] == '\n') _pos++;
    }

    private void ReadComment(int start, int inner)
    {
        int end = _src.IndexOf("#}", inner, StringComparison.Ordinal);
        if (end < 0) throw Error("unclosed comment ({# without #})", start);
        char sign = end > inner && _src[end - 1] is '-' or '+' ? _src[end - 1] : '\0';
        AfterClose(end + 2, sign, trimNewline: true);
    }

    private bool TryReadRaw(int start, int inner)
    {
        int p = SkipSpaces(inner);
        if (string.CompareOrdinal(_src, p, "raw", 0, 3) != 0 || p + 3 < _src.Length && IsNameChar(_src[p + 3])) return false;
        p = SkipSpaces(p + 3);
        char openSign = '\0';
        if (p < _src.Length && _src[p] == '-') { openSign = '-'; p++; }
        if (string.CompareOrdinal(_src, p, "%}", 0, 2) != 0) throw Error("expected '%}' after 'raw'", start);
        p += 2;
        if (openSign == '-') while (p < _src.Length && char.IsWhiteSpace(_src[p])) p++;
        // find {%[-+]? endraw [-+]?%}
        for (int i = p; i + 1 < _src.Length; i++)
        {
            if (_src[i] != '{' || _src[i + 1] != '%') continue;
            int q = i + 2;
            char endSign = q < _src.Length && _src[q] is '-' or '+' ? _src[q] : '\0';
            if (endSign != '\0') q++;
            q = SkipSpaces(q);
            if (string.CompareOrdinal(_src, q, "endraw", 0, 6) != 0) continue;
            q = SkipSpaces(q + 6);
            char closeSign = q < _src.Length && _src[q] is '-' or '+' ? _src[q] : '\0';
            if (closeSign != '\0') q++;
            if (string.CompareOrdinal(_src, q, "%}", 0, 2) != 0) continue;
            string body = _src[p..i];
            if (endSign == '-') body = body.TrimEnd();
            else if (endSign != '+')
            {
                int l = body.LastIndexOf('\n') + 1;
                if ((l > 0 || p == 0 || _src[p - 1] == '\n') && l < body.Length && body.AsSpan(l).Trim().IsEmpty) body = body[..l];
            }
            AddText(body, p);
            AfterClose(q + 2, closeSign, trimNewline: true);
            return true;
        }
        throw Error("unclosed raw block ({% raw %} without {% endraw %})", start);
    }

    private int SkipSpaces(int p)
    {
        while (p < _src.Length && char.IsWhiteSpace(_src[p])) p++;
        return p;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private void ReadTag(int start, int p, bool variable)
    {
        _tokens.Add(new Token(variable ? TokenKind.VarBegin : TokenKind.BlockBegin, variable ? "{{" : "{%", LineAt(start)));
        string close = variable ? "}}" : "%}";
        int braces = 0;
        while (true)
        {
            p = SkipSpaces(p);
            if (p >= _src.Length) throw Error(variable ? "unclosed '{{' (missing '}}')" : "unclosed '{%' (missing '%}')", start);
            char c = _src[p];
            if (braces == 0)
            {
                char sign = c is '-' or '+' && string.CompareOrdinal(_src, p + 1, close, 0, 2) == 0 ? c : '\0';
                if (sign != '\0' || string.CompareOrdinal(_src, p, close, 0, 2) == 0)
                {
                    _tokens.Add(new Token(variable ? TokenKind.VarEnd : TokenKind.BlockEnd, close, LineAt(p)));
                    AfterClose(p + 2 + (sign != '\0' ? 1 : 0), sign, trimNewline: !variable);
                    return;
                }
            }
            int line = LineAt(p);
            if (char.IsAsciiLetter(c) || c == '_')
            {
                int e = p;
                while (e < _src.Length && IsNameChar(_src[e])) e++;
                _tokens.Add(new Token(TokenKind.Name, _src[p..e], line));
                p = e;
            }
            else if (char.IsAsciiDigit(c)) p = ReadNumber(p, line);
            else if (c is '\'' or '"') p = ReadString(p, line);
            else
            {
                string op = ThreeOrTwoCharOp(p) ?? c.ToString();
                if ("+-*/%~<>=.,:|()[]{}!".IndexOf(op[0]) < 0 || op == "!") throw Error($"unexpected character '{c}'", p);
                if (op == "{") braces++;
                else if (op == "}") braces = Math.Max(0, braces - 1);
                _tokens.Add(new Token(TokenKind.Op, op, line));
                p += op.Length;
            }
        }
    }

    private string? ThreeOrTwoCharOp(int p)
    {
        if (p + 1 >= _src.Length) return null;
        string two = _src.Substring(p, 2);
        return two is "**" or "//" or "==" or "!=" or "<=" or ">=" ? two : null;
    }

    private int ReadNumber(int p, int line)
    {
        int e = p;
        while (e < _src.Length && (char.IsAsciiDigit(_src[e]) || _src[e] == '_')) e++;
        bool isFloat = false;
        if (e + 1 < _src.Length && _src[e] == '.' && char.IsAsciiDigit(_src[e + 1]))
        {
            isFloat = true;
            e++;
            while (e < _src.Length && (char.IsAsciiDigit(_src[e]) || _src[e] == '_')) e++;
        }
        if (e < _src.Length && _src[e] is 'e' or 'E')
        {
            int q = e + 1;
            if (q < _src.Length && _src[q] is '+' or '-') q++;
            if (q < _src.Length && char.IsAsciiDigit(_src[q]))
            {
                isFloat = true;
                e = q;
                while (e < _src.Length && char.IsAsciiDigit(_src[e])) e++;
            }
        }
        string text = _src[p..e].Replace("_", "", StringComparison.Ordinal);
        if (isFloat) _tokens.Add(new Token(TokenKind.Float, text, line, Value.Of(double.Parse(text, CultureInfo.InvariantCulture))));
        else if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long v)) _tokens.Add(new Token(TokenKind.Int, text, line, Value.Of(v)));
        else throw Error($"integer literal {text} is too large", p);
        return e;
    }

    private int ReadString(int p, int line)
    {
        char q = _src[p];
        var sb = new StringBuilder();
        int i = p + 1;
        while (true)
        {
            if (i >= _src.Length) throw Error("unterminated string literal", p);
            char c = _src[i];
            if (c == q) break;
            if (c != '\\') { sb.Append(c); i++; continue; }
            if (i + 1 >= _src.Length) throw Error("unterminated string literal", p);
            char e = _src[i + 1];
            i += 2;
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case '\n': break;
                case 'x': sb.Append(Hex(ref i, 2, p)); break;
                case 'u': sb.Append(Hex(ref i, 4, p)); break;
                case 'U': sb.Append(Hex(ref i, 8, p)); break;
                case >= '0' and <= '7':
                    {
                        int v = e - '0', n = 1;
                        while (n < 3 && i < _src.Length && _src[i] is >= '0' and <= '7') { v = v * 8 + (_src[i++] - '0'); n++; }
                        sb.Append((char)v);
                        break;
                    }
                default: sb.Append('\\').Append(e); break;
            }
        }
        _tokens.Add(new Token(TokenKind.String, sb.ToString(), line, Value.Of(sb.ToString())));
        return i + 1;
    }

    private string Hex(ref int i, int digits, int start)
    {
        if (i + digits > _src.Length || !int.TryParse(_src.AsSpan(i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int cp)
            || cp > 0x10FFFF || cp is >= 0xD800 and <= 0xDFFF && digits == 8)
            throw Error($"bad \\{(digits == 2 ? 'x' : digits == 4 ? 'u' : 'U')} escape in string literal", start);
        i += digits;
        // a lone surrogate (\uD800) stays one UTF-16 unit, as Python keeps it
        return cp is >= 0xD800 and <= 0xDFFF ? ((char)cp).ToString() : char.ConvertFromUtf32(cp);
    }
}
