// GBNF for integers in a range, built digit by digit (a d-digit range [x, y] splits at its first differing digit
// into x's tail up to 9..9, whole middle digits, and 0..0 up to y's tail), and for numbers between bounds.
using System.Globalization;
using System.Text;

namespace Weft.Inference.Grammar;

internal static class NumberRangeRules
{
    /// <summary>Largest bound magnitude handled exactly (integers beyond 16 digits are not generated anyway).</summary>
    public const long MaxBound = 9_999_999_999_999_999;
    private const int MaxDigits = 16;

    /// <summary>Integers in [lo, hi] (null: unbounded), as a GBNF expression; null when the range is empty.</summary>
    public static string? Integers(long? lo, long? hi)
    {
        if (lo > hi) return null;
        if (lo == null && hi == null) return "integer";
        if (lo >= 0) return NonNegative(lo.Value, hi);
        if (hi < 0) return "\"-\" " + Group(NonNegative(-hi.Value, lo == null ? null : -lo.Value)!);
        string negative = "\"-\" " + Group(NonNegative(1, lo == null ? null : -lo.Value)!);
        string? positive = NonNegative(0, hi);
        return positive == null ? negative : $"{negative} | {positive}";
    }

    /// <summary>
    /// Numbers in a range without exponents: integers where the bounds allow, and I.F with a fraction ending in a
    /// non-zero digit (so strictly between I and I+1) where all of (I, I+1) is inside the bounds. Sound, not complete.
    /// </summary>
    public static string? Numbers(double? lo, bool loExclusive, double? hi, bool hiExclusive)
    {
        long? intLo = lo == null ? null : Clamp(loExclusive ? Math.Floor(lo.Value) + 1 : Math.Ceiling(lo.Value));
        long? intHi = hi == null ? null : Clamp(hiExclusive ? Math.Ceiling(hi.Value) - 1 : Math.Floor(hi.Value));
        var parts = new List<string>();
        if (Integers(intLo, intHi) is string ints) parts.Add(ints);
        // v = I.F in (I, I+1): needs I >= ceil(lo) and I + 1 <= floor(hi)
        long posLo = Math.Max(0, lo == null ? 0 : Clamp(Math.Ceiling(lo.Value)));
        long? posHi = hi == null ? null : Clamp(Math.Floor(hi.Value)) - 1;
        if (NonNegative(posLo, posHi) is string pos) parts.Add(Group(pos) + " \".\" frac");
        // v = -(I.F) in (-(I+1), -I): needs -I <= hi and -(I+1) >= lo
        long negLo = Math.Max(0, hi == null ? 0 : Clamp(Math.Ceiling(-hi.Value)));
        long? negHi = lo == null ? null : Clamp(Math.Floor(-lo.Value)) - 1;
        if (NonNegative(negLo, negHi) is string neg) parts.Add("\"-\" " + Group(neg) + " \".\" frac");
        return parts.Count == 0 ? null : string.Join(" | ", parts);
    }

    private static long Clamp(double v) =>
        Math.Abs(v) <= MaxBound ? (long)v : throw new GrammarException($"numeric bound {v.ToString(CultureInfo.InvariantCulture)} is beyond the supported ±{MaxBound}");

    private static string Group(string e) => e.Contains('|', StringComparison.Ordinal) ? $"( {e} )" : e;

    /// <summary>Integers in [a, b] with a &gt;= 0 (b null: no upper bound) without leading zeros; null when empty.</summary>
    public static string? NonNegative(long a, long? b)
    {
        if (b < a || a < 0) return null;
        var alts = new List<string>();
        int da = Digits(a);
        int db = b is long bv ? Digits(bv) : Math.Max(MaxDigits, da);
        for (int d = da; d <= db; d++)
        {
            long first = d == 1 ? 0 : Pow10(d - 1), last = Pow10(d) - 1;
            long lo = Math.Max(a, first), hi = Math.Min(b ?? long.MaxValue, last);
            if (lo > hi) continue;
            if (b == null && d > da)
            {
                // every longer length is whole: one alternative for all of them
                alts.Add(d == db ? $"[1-9] [0-9]{{{d - 1}}}" : $"[1-9] [0-9]{{{d - 1},{db - 1}}}");
                break;
            }
            alts.Add(SameLength(lo.ToString(CultureInfo.InvariantCulture), hi.ToString(CultureInfo.InvariantCulture)));
        }
        return alts.Count == 0 ? null : string.Join(" | ", alts.Select(Group));
    }

    /// <summary>Digit strings of one length from x to y (x &lt;= y).</summary>
    private static string SameLength(string x, string y)
    {
        if (x.Length == 0) return "\"\"";
        if (x == y) return $"\"{x}\"";
        if (x[0] == y[0]) return $"\"{x[0]}\" " + Group(SameLength(x[1..], y[1..]));
        int n = x.Length - 1;
        bool lowWhole = x.AsSpan(1).IndexOfAnyExcept('0') < 0;
        bool highWhole = y.AsSpan(1).IndexOfAnyExcept('9') < 0;
        var alts = new List<string>();
        if (!lowWhole) alts.Add($"\"{x[0]}\" " + Group(SameLength(x[1..], new string('9', n))));
        char midLo = lowWhole ? x[0] : (char)(x[0] + 1), midHi = highWhole ? y[0] : (char)(y[0] - 1);
        if (midLo <= midHi)
        {
            var sb = new StringBuilder(midLo == midHi ? $"\"{midLo}\"" : $"[{midLo}-{midHi}]");
            if (n > 0) sb.Append(CultureInfo.InvariantCulture, $" [0-9]{{{n}}}");
            alts.Add(sb.ToString());
        }
        if (!highWhole) alts.Add($"\"{y[0]}\" " + Group(SameLength(new string('0', n), y[1..])));
        return string.Join(" | ", alts.Select(Group));
    }

    private static int Digits(long v) => v.ToString(CultureInfo.InvariantCulture).Length;

    private static long Pow10(int k)
    {
        long r = 1;
        for (int i = 0; i < k; i++) r *= 10;
        return r;
    }
}
