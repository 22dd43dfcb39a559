// Reads llama.cpp's GBNF: `name ::= alternatives` rules, literals, [classes], ., groups, * + ? {m,n}, # comments.
// A rule runs on over line breaks until the next line that starts another `name ::=`.
using System.Globalization;

namespace Weft.Inference.Grammar;

internal sealed class GbnfParser
{
    /// <summary>Most repetitions a {m,n} may ask for; more would compile into that many rules.</summary>
    public const int MaxRepetition = 10_000;
    /// <summary>Deepest nesting of groups (the parser recurses once per level).</summary>
    public const int MaxNesting = 200;

    private readonly string _text;
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private int _nesting;

    private GbnfParser(string text) => _text = text;

    public static List<RuleDefinition> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var p = new GbnfParser(text);
        var rules = new List<RuleDefinition>();
        p.SkipSpace(newlines: true);
        while (!p.AtEnd)
        {
            rules.Add(p.ParseRule());
            p.SkipSpace(newlines: true);
        }
        return rules;
    }

    private bool AtEnd => _pos >= _text.Length;
    private char Peek => _pos < _text.Length ? _text[_pos] : '\0';
    private int Column => _pos - _lineStart + 1;

    private GrammarException Error(string message) => new(message, _line, Column);

    private void Advance()
    {
        if (_text[_pos] == '\n') { _line++; _lineStart = _pos + 1; }
        _pos++;
    }

    private void SkipSpace(bool newlines)
    {
        while (!AtEnd)
        {
            char c = Peek;
            if (c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n')) Advance();
            else if (c == '#') { while (!AtEnd && Peek != '\n') Advance(); }
            else break;
        }
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_';

    private string ParseName()
    {
        int start = _pos;
        while (!AtEnd && IsNameChar(Peek)) Advance();
        if (_pos == start) throw Error($"expected a rule name, found {Describe()}");
        return _text[start.._pos];
    }

    private string Describe() => AtEnd ? "the end of the grammar" : Peek == '\n' ? "the end of the line" : $"'{Peek}'";

    private RuleDefinition ParseRule()
    {
        int line = _line, column = Column;
        string name = ParseName();
        SkipSpace(newlines: false);
        if (string.CompareOrdinal(_text, _pos, "::=", 0, 3) != 0) throw Error($"expected '::=' after rule name '{name}', found {Describe()}");
        for (int i = 0; i < 3; i++) Advance();
        SkipSpace(newlines: true);
        var body = ParseAlternatives(nested: false);
        if (!AtEnd && Peek != '\n') throw Error($"unexpected {Describe()} in rule '{name}'");
        return new RuleDefinition(name, body, line, column);
    }

    /// <summary>At top level a line break ends the rule when the next line starts a new rule (or the text ends).</summary>
    private bool RuleEndsHere()
    {
        int save = _pos, saveLine = _line, saveStart = _lineStart;
        SkipSpace(newlines: true);
        bool ends = AtEnd;
        if (!ends)
        {
            int p = _pos;
            while (p < _text.Length && IsNameChar(_text[p])) p++;
            if (p > _pos)
            {
                while (p < _text.Length && (_text[p] == ' ' || _text[p] == '\t')) p++;
                ends = string.CompareOrdinal(_text, p, "::=", 0, 3) == 0;
            }
        }
        if (ends) { _pos = save; _line = saveLine; _lineStart = saveStart; }
        return ends;
    }

    private void SkipGap(bool nested)
    {
        SkipSpace(newlines: nested);
        if (!nested && Peek == '\n' && !RuleEndsHere()) SkipSpace(newlines: true);
    }

    private GrammarExpr ParseAlternatives(bool nested)
    {
        int line = _line, column = Column;
        var options = new List<GrammarExpr> { ParseSequence(nested) };
        while (Peek == '|')
        {
            Advance();
            SkipSpace(newlines: true);
            options.Add(ParseSequence(nested));
        }
        return options.Count == 1 ? options[0] : new AltExpr(options, line, column);
    }

    private GrammarExpr ParseSequence(bool nested)
    {
        int line = _line, column = Column;
        var items = new List<GrammarExpr>();
        while (true)
        {
            SkipGap(nested);
            if (AtEnd || Peek == '|' || Peek == ')' || Peek == '\n') break;
            var item = ParseAtom(nested);
            SkipSpace(newlines: false);
            for (int quantifiers = 0; Peek is '*' or '+' or '?' or '{'; quantifiers++)
            {
                if (quantifiers == 4) throw Error("more than four repetition operators in a row");
                item = ParseQuantifier(item);
                SkipSpace(newlines: false);
            }
            items.Add(item);
        }
        if (Peek == ')' && !nested) throw Error("unbalanced ')': no '(' is open");
        return items.Count == 1 ? items[0] : new SeqExpr(items, line, column);
    }

    private GrammarExpr ParseQuantifier(GrammarExpr item)
    {
        int line = _line, column = Column;
        char q = Peek;
        Advance();
        switch (q)
        {
            case '*': return new RepeatExpr(item, 0, -1, line, column);
            case '+': return new RepeatExpr(item, 1, -1, line, column);
            case '?': return new RepeatExpr(item, 0, 1, line, column);
        }
        SkipSpace(newlines: false);
        int min = Peek == ',' ? 0 : ParseCount();
        int max = min;
        SkipSpace(newlines: false);
        if (Peek == ',')
        {
            Advance();
            SkipSpace(newlines: false);
            max = Peek == '}' ? -1 : ParseCount();
            SkipSpace(newlines: false);
        }
        if (Peek != '}') throw Error($"expected '}}' to close the repetition, found {Describe()}");
        Advance();
        if (max != -1 && max < min) throw new GrammarException($"repetition {{{min},{max}}} has its maximum below its minimum", line, column);
        return new RepeatExpr(item, min, max, line, column);
    }

    private int ParseCount()
    {
        int start = _pos;
        while (char.IsAsciiDigit(Peek)) Advance();
        if (_pos == start) throw Error($"expected a number in the repetition, found {Describe()}");
        if (!int.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n > MaxRepetition)
            throw new GrammarException($"repetition count {_text[start.._pos]} is above the limit of {MaxRepetition}", _line, start - _lineStart + 1);
        return n;
    }

    private GrammarExpr ParseAtom(bool nested)
    {
        int line = _line, column = Column;
        char c = Peek;
        if (c == '"') return ParseLiteral();
        if (c == '[') return ParseClass();
        if (c == '.')
        {
            Advance();
            return new CharsExpr(CharSet.Any, line, column);
        }
        if (c == '(')
        {
            if (++_nesting > MaxNesting) throw Error($"groups nest deeper than {MaxNesting} levels");
            Advance();
            SkipSpace(newlines: true);
            var inner = ParseAlternatives(nested: true);
            SkipSpace(newlines: true);
            if (Peek != ')') throw new GrammarException("unbalanced '(': no ')' closes it", line, column);
            Advance();
            _nesting--;
            return inner;
        }
        if (IsNameChar(c))
        {
            string name = ParseName();
            SkipSpace(newlines: false);
            if (string.CompareOrdinal(_text, _pos, "::=", 0, 3) == 0)
                throw new GrammarException($"rule '{name}' starts inside another rule (is a line break or ')' missing?)", line, column);
            return new RefExpr(name, line, column);
        }
        if (c == ']') throw Error("unbalanced ']': no '[' is open");
        if (c == '\'') throw Error("literals use double quotes");
        throw Error($"unexpected {Describe()}{(nested ? "" : "")}");
    }

    private GrammarExpr ParseLiteral()
    {
        int line = _line, column = Column;
        Advance(); // "
        var items = new List<GrammarExpr>();
        while (true)
        {
            if (AtEnd || Peek == '\n') throw new GrammarException("unterminated string literal", line, column);
            if (Peek == '"') { Advance(); break; }
            int cl = _line, cc = Column;
            items.Add(new CharsExpr(CharSet.Single(ReadChar()), cl, cc));
        }
        return items.Count == 1 ? items[0] : new SeqExpr(items, line, column);
    }

    private GrammarExpr ParseClass()
    {
        int line = _line, column = Column;
        Advance(); // [
        bool negated = false;
        if (Peek == '^') { negated = true; Advance(); }
        var ranges = new List<(int, int)>();
        while (true)
        {
            if (AtEnd || Peek == '\n') throw new GrammarException("unbalanced '[': no ']' closes the character class", line, column);
            if (Peek == ']') { Advance(); break; }
            int lo = ReadChar();
            int hi = lo;
            if (Peek == '-' && _pos + 1 < _text.Length && _text[_pos + 1] != ']')
            {
                Advance();
                if (AtEnd || Peek == '\n') throw new GrammarException("unbalanced '[': no ']' closes the character class", line, column);
                hi = ReadChar();
                if (hi < lo) throw Error($"character range {CharSet.Escape(lo)}-{CharSet.Escape(hi)} is reversed");
            }
            ranges.Add((lo, hi));
        }
        return new CharsExpr(CharSet.Of(ranges, negated), line, column);
    }

    /// <summary>One code point of a literal or class, escapes resolved.</summary>
    private int ReadChar()
    {
        char c = Peek;
        if (c != '\\')
        {
            if (char.IsHighSurrogate(c) && _pos + 1 < _text.Length && char.IsLowSurrogate(_text[_pos + 1]))
            {
                int cp = char.ConvertToUtf32(c, _text[_pos + 1]);
                Advance(); Advance();
                return cp;
            }
            Advance();
            return c;
        }
        int line = _line, column = Column;
        Advance();
        if (AtEnd) throw new GrammarException("escape at the end of the grammar", line, column);
        char e = Peek;
        Advance();
        switch (e)
        {
            case 'n': return '\n';
            case 't': return '\t';
            case 'r': return '\r';
            case '\\': return '\\';
            case '"': return '"';
            case '[': return '[';
            case ']': return ']';
            case '-': return '-';
            case '^': return '^';
            case 'x': return ReadHex(2, line, column);
            case 'u': return ReadHex(4, line, column);
            case 'U': return ReadHex(8, line, column);
            default: throw new GrammarException($"unknown escape '\\{e}'", line, column);
        }
    }

    private int ReadHex(int digits, int line, int column)
    {
        int value = 0;
        for (int i = 0; i < digits; i++)
        {
            if (AtEnd || !char.IsAsciiHexDigit(Peek)) throw new GrammarException($"escape needs {digits} hex digits", line, column);
            value = value * 16 + Convert.ToInt32(Peek.ToString(), 16);
            Advance();
        }
        if (value > CharSet.MaxCodePoint) throw new GrammarException($"code point {value:X} is beyond U+10FFFF", line, column);
        return value;
    }
}
