// A set of Unicode code points as sorted inclusive ranges, with a bitmap for ASCII: one grammar terminal.
using System.Globalization;
using System.Text;

namespace Weft.Inference.Grammar;

public sealed class CharSet
{
    public const int MaxCodePoint = 0x10FFFF;

    private readonly int[] _ranges; // [lo0, hi0, lo1, hi1, ...], sorted, disjoint, not adjacent
    private readonly ulong _ascii0, _ascii1;

    private CharSet(int[] ranges)
    {
        _ranges = ranges;
        for (int i = 0; i < ranges.Length; i += 2)
            for (int c = ranges[i]; c <= Math.Min(ranges[i + 1], 127); c++)
                if (c < 64) _ascii0 |= 1UL << c; else _ascii1 |= 1UL << (c - 64);
    }

    /// <summary>The set of the given inclusive ranges (any order, may overlap), complemented when <paramref name="negated"/>.</summary>
    public static CharSet Of(IEnumerable<(int Lo, int Hi)> ranges, bool negated = false)
    {
        var sorted = ranges.Where(r => r.Lo <= r.Hi).OrderBy(r => r.Lo).ToList();
        var merged = new List<int>();
        foreach (var (lo, hi) in sorted)
        {
            if (merged.Count > 0 && lo <= merged[^1] + 1) merged[^1] = Math.Max(merged[^1], hi);
            else { merged.Add(lo); merged.Add(hi); }
        }
        if (negated)
        {
            var inverse = new List<int>();
            int next = 0;
            for (int i = 0; i < merged.Count; i += 2)
            {
                if (merged[i] > next) { inverse.Add(next); inverse.Add(merged[i] - 1); }
                next = merged[i + 1] + 1;
            }
            if (next <= MaxCodePoint) { inverse.Add(next); inverse.Add(MaxCodePoint); }
            merged = inverse;
        }
        return new CharSet([.. merged]);
    }

    public static CharSet Single(int c) => new([c, c]);

    public static readonly CharSet Any = Of([(0, MaxCodePoint)]);

    public IEnumerable<(int Lo, int Hi)> Ranges
    {
        get
        {
            for (int i = 0; i < _ranges.Length; i += 2) yield return (_ranges[i], _ranges[i + 1]);
        }
    }

    public bool Contains(int c)
    {
        if ((uint)c < 64) return (_ascii0 >> c & 1) != 0;
        if ((uint)c < 128) return (_ascii1 >> (c - 64) & 1) != 0;
        var r = _ranges;
        int lo = 0, hi = r.Length / 2 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (c < r[2 * mid]) hi = mid - 1;
            else if (c > r[2 * mid + 1]) lo = mid + 1;
            else return true;
        }
        return false;
    }

    /// <summary>Whether any code point in [lo, hi] is in the set.</summary>
    public bool Intersects(int lo, int hi)
    {
        var r = _ranges;
        for (int i = 0; i < r.Length; i += 2)
            if (r[i] <= hi && r[i + 1] >= lo) return true;
        return false;
    }

    public CharSet Except(CharSet other)
    {
        var keep = new List<(int, int)>();
        var removed = other._ranges;
        for (int i = 0; i < _ranges.Length; i += 2)
        {
            int lo = _ranges[i], hi = _ranges[i + 1];
            for (int j = 0; j < removed.Length && lo <= hi; j += 2)
            {
                int rlo = removed[j], rhi = removed[j + 1];
                if (rhi < lo || rlo > hi) continue;
                if (rlo > lo) keep.Add((lo, rlo - 1));
                lo = rhi + 1;
            }
            if (lo <= hi) keep.Add((lo, hi));
        }
        return Of(keep);
    }

    public bool IsEmpty => _ranges.Length == 0;

    /// <summary>The set in GBNF's bracket syntax.</summary>
    public string ToGbnf()
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < _ranges.Length; i += 2)
        {
            sb.Append(Escape(_ranges[i]));
            if (_ranges[i + 1] != _ranges[i]) sb.Append('-').Append(Escape(_ranges[i + 1]));
        }
        return sb.Append(']').ToString();
    }

    /// <summary>A code point as it may appear inside a GBNF literal or bracket.</summary>
    public static string Escape(int c) => c switch
    {
        '\\' => @"\\", '"' => "\\\"", ']' => @"\]", '[' => @"\[", '-' => @"\-", '^' => @"\^",
        '\n' => @"\n", '\r' => @"\r", '\t' => @"\t",
        < 0x20 or 0x7F => "\\x" + c.ToString("X2", CultureInfo.InvariantCulture),
        >= 0xD800 and <= 0xDFFF => "\\u" + c.ToString("X4", CultureInfo.InvariantCulture),
        > 0xFFFF => "\\U" + c.ToString("X8", CultureInfo.InvariantCulture),
        _ => char.ConvertFromUtf32(c),
    };
}
