// A small backtracking regular-expression engine over code points, with ECMAScript semantics (ordered
// alternation, greedy or lazy quantifiers, atomic lookahead), for the pre-tokenizer patterns that have no
// hand-written splitter. It exists because the patterns must behave exactly like C++'s std::regex in the
// "C" locale (\s is ASCII whitespace, ranges compare code point values) over text where one element is one
// code point, which .NET's UTF-16 Regex cannot give for code points beyond U+FFFF.
using System.Globalization;

namespace Weft.Tokenizers.PreTokenizers;

internal sealed class RegexLite
{
    private abstract class Node
    {
        public abstract bool Match(Run r, int pos, Func<int, bool> k);
    }

    private sealed class Run(int[] text, int start, int end)
    {
        public readonly int[] Text = text;
        public readonly int Start = start;
        public readonly int End = end;
    }

    /// <summary>A set of code points: ranges plus the class escapes \s \d \w (and their negations).</summary>
    private sealed class CharSet : Node
    {
        public readonly List<(int Lo, int Hi)> Ranges = [];
        public bool Negated;

        public bool Contains(int c)
        {
            bool hit = false;
            foreach (var (lo, hi) in Ranges)
                if (c >= lo && c <= hi) { hit = true; break; }
            return hit != Negated;
        }

        public override bool Match(Run r, int pos, Func<int, bool> k) =>
            pos < r.End && Contains(r.Text[pos]) && k(pos + 1);
    }

    private sealed class Sequence(List<Node> items) : Node
    {
        public override bool Match(Run r, int pos, Func<int, bool> k) => MatchFrom(r, 0, pos, k);

        private bool MatchFrom(Run r, int index, int pos, Func<int, bool> k) =>
            index == items.Count ? k(pos) : items[index].Match(r, pos, p => MatchFrom(r, index + 1, p, k));
    }

    private sealed class Alternation(List<Node> alternatives) : Node
    {
        public override bool Match(Run r, int pos, Func<int, bool> k)
        {
            foreach (var a in alternatives)
                if (a.Match(r, pos, k)) return true;
            return false;
        }
    }

    private sealed class Repeat(Node inner, int min, int max, bool greedy) : Node
    {
        public override bool Match(Run r, int pos, Func<int, bool> k)
        {
            if (inner is CharSet set)
            {
                int n = 0;
                while (n < max && pos + n < r.End && set.Contains(r.Text[pos + n])) n++;
                if (n < min) return false;
                if (greedy)
                {
                    for (int i = n; i >= min; i--)
                        if (k(pos + i)) return true;
                }
                else
                {
                    for (int i = min; i <= n; i++)
                        if (k(pos + i)) return true;
                }
                return false;
            }
            return Step(r, pos, 0, k);
        }

        // ECMAScript's RepeatMatcher: once the minimum is met, an iteration that consumes nothing fails.
        private bool Step(Run r, int pos, int count, Func<int, bool> k)
        {
            if (count < min) return inner.Match(r, pos, p => Step(r, p, count + 1, k));
            if (greedy)
            {
                if (count < max && inner.Match(r, pos, p => p != pos && Step(r, p, count + 1, k))) return true;
                return k(pos);
            }
            if (k(pos)) return true;
            return count < max && inner.Match(r, pos, p => p != pos && Step(r, p, count + 1, k));
        }
    }

    private sealed class Lookahead(Node inner, bool negative) : Node
    {
        public override bool Match(Run r, int pos, Func<int, bool> k) =>
            inner.Match(r, pos, _ => true) != negative && k(pos);
    }

    private sealed class Anchor(bool atEnd) : Node
    {
        public override bool Match(Run r, int pos, Func<int, bool> k) =>
            (atEnd ? pos == r.End : pos == r.Start) && k(pos);
    }

    private readonly Node _root;

    private RegexLite(Node root) => _root = root;

    public static RegexLite Parse(int[] pattern) => new(new Parser(pattern).ParseAll());

    /// <summary>The successive matches in text[start, end), as std::regex_iterator finds them.</summary>
    public List<(int Start, int End)> Matches(int[] text, int start, int end)
    {
        var run = new Run(text, start, end);
        var found = new List<(int, int)>();
        int from = start;
        bool requireNonEmptyAt = false;
        while (from <= end)
        {
            int matchStart = -1, matchEnd = -1;
            if (requireNonEmptyAt)
            {
                // after an empty match: first a non-empty match at the same place, else move one on
                int at = from;
                if (_root.Match(run, at, e => { if (e == at) return false; matchEnd = e; return true; })) matchStart = at;
                else from++;
                requireNonEmptyAt = false;
                if (matchStart < 0 && from > end) break;
            }
            if (matchStart < 0)
            {
                for (int p = from; p <= end; p++)
                {
                    if (_root.Match(run, p, e => { matchEnd = e; return true; })) { matchStart = p; break; }
                }
            }
            if (matchStart < 0) break;
            found.Add((matchStart, matchEnd));
            from = matchEnd;
            if (matchEnd == matchStart)
            {
                if (matchEnd == end) break;
                requireNonEmptyAt = true;
            }
        }
        return found;
    }

    private sealed class Parser(int[] p)
    {
        private int _i;

        public Node ParseAll()
        {
            var node = Disjunction();
            if (_i != p.Length) throw Error("unexpected ')'");
            return node;
        }

        private ArgumentException Error(string what) =>
            new($"pattern '{string.Concat(p.Select(char.ConvertFromUtf32))}': {what} at {_i}");

        private bool More => _i < p.Length;
        private int Peek => p[_i];

        private Node Disjunction()
        {
            var alts = new List<Node> { Alternative() };
            while (More && Peek == '|')
            {
                _i++;
                alts.Add(Alternative());
            }
            return alts.Count == 1 ? alts[0] : new Alternation(alts);
        }

        private Node Alternative()
        {
            var items = new List<Node>();
            while (More && Peek != '|' && Peek != ')') items.Add(Term());
            return items.Count == 1 ? items[0] : new Sequence(items);
        }

        private Node Term()
        {
            int c = Peek;
            if (c == '^') { _i++; return new Anchor(false); }
            if (c == '$') { _i++; return new Anchor(true); }
            Node atom;
            if (c == '(')
            {
                _i++;
                if (More && Peek == '?')
                {
                    _i++;
                    if (!More) throw Error("incomplete group");
                    int kind = p[_i++];
                    if (kind is '=' or '!')
                    {
                        var inner = Disjunction();
                        Expect(')');
                        return new Lookahead(inner, kind == '!');
                    }
                    if (kind != ':') throw Error("unsupported group");
                }
                atom = Disjunction();
                Expect(')');
            }
            else if (c == '[') atom = Class();
            else if (c == '.')
            {
                _i++;
                var any = new CharSet { Negated = true };
                any.Ranges.Add(('\n', '\n'));
                any.Ranges.Add(('\r', '\r'));
                atom = any;
            }
            else if (c == '\\')
            {
                _i++;
                atom = Escape();
            }
            else
            {
                _i++;
                atom = Single(c);
            }
            return Quantified(atom);
        }

        private Node Quantified(Node atom)
        {
            if (!More) return atom;
            int min, max;
            switch (Peek)
            {
                case '*': (min, max) = (0, int.MaxValue); _i++; break;
                case '+': (min, max) = (1, int.MaxValue); _i++; break;
                case '?': (min, max) = (0, 1); _i++; break;
                case '{':
                    {
                        int save = _i;
                        _i++;
                        if (!TryNumber(out min)) { _i = save; return atom; }
                        max = min;
                        if (More && Peek == ',')
                        {
                            _i++;
                            if (!TryNumber(out max)) max = int.MaxValue;
                        }
                        Expect('}');
                        break;
                    }
                default: return atom;
            }
            bool greedy = true;
            if (More && Peek == '?') { greedy = false; _i++; }
            return new Repeat(atom, min, max, greedy);
        }

        private bool TryNumber(out int value)
        {
            int start = _i;
            value = 0;
            while (More && Peek >= '0' && Peek <= '9') value = value * 10 + (p[_i++] - '0');
            return _i > start;
        }

        private void Expect(int c)
        {
            if (!More || Peek != c) throw Error($"expected '{(char)c}'");
            _i++;
        }

        private static CharSet Single(int c)
        {
            var s = new CharSet();
            s.Ranges.Add((c, c));
            return s;
        }

        private CharSet Class()
        {
            _i++; // '['
            var set = new CharSet();
            if (More && Peek == '^') { set.Negated = true; _i++; }
            while (More && Peek != ']')
            {
                var lo = ClassAtom();
                if (lo is int l && More && Peek == '-' && _i + 1 < p.Length && p[_i + 1] != ']')
                {
                    _i++;
                    var hi = ClassAtom();
                    if (hi is not int h) throw Error("class escape as range end");
                    if (h < l) throw Error("range out of order");
                    set.Ranges.Add((l, h));
                }
                else if (lo is int single) set.Ranges.Add((single, single));
            }
            Expect(']');
            return set;

            // one class member: a code point, or null after adding the ranges of a class escape (\s \d \w ...)
            int? ClassAtom()
            {
                int c = p[_i++];
                if (c != '\\') return c;
                if (!More) throw Error("trailing backslash");
                int e = p[_i++];
                if (ClassEscape(e) is (bool negated, (int, int)[] ranges))
                {
                    if (!negated) set.Ranges.AddRange(ranges);
                    else
                    {
                        int next = 0;
                        foreach (var (lo, hi) in ranges)
                        {
                            if (lo > next) set.Ranges.Add((next, lo - 1));
                            next = hi + 1;
                        }
                        set.Ranges.Add((next, int.MaxValue));
                    }
                    return null;
                }
                return e == 'b' ? '\b' : EscapedChar(e);
            }
        }

        private static readonly (int, int)[] SpaceRanges = [('\t', '\r'), (' ', ' ')];
        private static readonly (int, int)[] DigitRanges = [('0', '9')];
        private static readonly (int, int)[] WordRanges = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];

        // \s is the "C" locale's isspace: \t \n \v \f \r and space. Ranges are ascending.
        private static (bool Negated, (int, int)[] Ranges)? ClassEscape(int c) => c switch
        {
            's' => (false, SpaceRanges),
            'S' => (true, SpaceRanges),
            'd' => (false, DigitRanges),
            'D' => (true, DigitRanges),
            'w' => (false, WordRanges),
            'W' => (true, WordRanges),
            _ => null,
        };

        private CharSet Escape()
        {
            int c = p[_i++];
            if (ClassEscape(c) is (bool negated, (int, int)[] ranges))
            {
                var s = new CharSet { Negated = negated };
                s.Ranges.AddRange(ranges);
                return s;
            }
            if (c is 'b' or 'B') throw Error("word boundaries are not supported");
            return Single(EscapedChar(c));
        }

        private int EscapedChar(int c) => c switch
        {
            't' => '\t',
            'n' => '\n',
            'v' => '\v',
            'f' => '\f',
            'r' => '\r',
            '0' => 0,
            'x' => Hex(2),
            'u' => Hex(4),
            _ => c,
        };

        private int Hex(int digits)
        {
            if (_i + digits > p.Length) throw Error("short hex escape");
            var s = string.Concat(p.Skip(_i).Take(digits).Select(d => (char)d));
            _i += digits;
            return int.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
    }
}
