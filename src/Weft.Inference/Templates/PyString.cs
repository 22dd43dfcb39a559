// Python str helpers with Python's definitions (whitespace, splitting, casing) where .NET's differ.
using System.Globalization;
using System.Text;

namespace Weft.Inference.Templates;

internal static class PyString
{
    /// <summary>str.isspace for one UTF-16 unit: .NET's whitespace plus the separators U+001C…U+001F.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static string Strip(string s, string? chars, bool left, bool right)
    {
        int a = 0, b = s.Length;
        Func<char, bool> strip = chars == null ? IsSpace : chars.Contains;
        if (left) while (a < b && strip(s[a])) a++;
        if (right) while (b > a && strip(s[b - 1])) b--;
        return s[a..b];
    }

    public static List<string> Split(string s, string? sep, long maxsplit)
    {
        var parts = new List<string>();
        if (sep == null)
        {
            int i = 0;
            while (true)
            {
                while (i < s.Length && IsSpace(s[i])) i++;
                if (i >= s.Length) break;
                if (maxsplit >= 0 && parts.Count == maxsplit) { parts.Add(Strip(s[i..], null, false, true)); break; }
                int j = i;
                while (j < s.Length && !IsSpace(s[j])) j++;
                parts.Add(s[i..j]);
                i = j;
            }
            return parts;
        }
        if (sep.Length == 0) throw new RenderError("empty separator");
        int start = 0;
        while (maxsplit < 0 || parts.Count < maxsplit)
        {
            int k = s.IndexOf(sep, start, StringComparison.Ordinal);
            if (k < 0) break;
            parts.Add(s[start..k]);
            start = k + sep.Length;
        }
        parts.Add(s[start..]);
        return parts;
    }

    public static List<string> RSplit(string s, string? sep, long maxsplit)
    {
        if (maxsplit < 0) return Split(s, sep, -1);
        var parts = new List<string>();
        if (sep == null)
        {
            int j = s.Length;
            while (true)
            {
                while (j > 0 && IsSpace(s[j - 1])) j--;
                if (j <= 0) break;
                if (parts.Count == maxsplit) { parts.Add(Strip(s[..j], null, true, false)); break; }
                int i = j;
                while (i > 0 && !IsSpace(s[i - 1])) i--;
                parts.Add(s[i..j]);
                j = i;
            }
            parts.Reverse();
            return parts;
        }
        if (sep.Length == 0) throw new RenderError("empty separator");
        int end = s.Length;
        while (parts.Count < maxsplit)
        {
            int k = end - sep.Length < 0 ? -1 : s.LastIndexOf(sep, end - 1, end, StringComparison.Ordinal);
            if (k < 0 || k + sep.Length > end) break;
            parts.Add(s[(k + sep.Length)..end]);
            end = k;
        }
        parts.Add(s[..end]);
        parts.Reverse();
        return parts;
    }

    private static bool IsLineBreak(char c) => c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029';

    public static List<string> SplitLines(string s, bool keepEnds)
    {
        var lines = new List<string>();
        int start = 0, i = 0;
        while (i < s.Length)
        {
            if (!IsLineBreak(s[i])) { i++; continue; }
            int eol = i;
            i += s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? 2 : 1;
            lines.Add(keepEnds ? s[start..i] : s[start..eol]);
            start = i;
        }
        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    /// <summary>Python str.title: uppercase after any non-cased character, lowercase after a cased one.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool prevCased = false;
        foreach (char c in s)
        {
            sb.Append(prevCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            prevCased = char.IsUpper(c) || char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;
        }
        return sb.ToString();
    }

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    public static string Center(string s, int width, string fill = " ")
    {
        int len = Ops.CodePointCount(s);
        if (width <= len) return s;
        int marg = width - len;
        int left = marg / 2 + (marg & width & 1);
        return Repeat(fill, left) + s + Repeat(fill, marg - left);
    }

    public static string Repeat(string s, int n) => n <= 0 ? "" : new StringBuilder().Insert(0, s, n).ToString();
}
