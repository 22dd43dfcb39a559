// Finds where a JSON value ends in text that may still be growing (a model's output mid-generation): complete, cut short, or invalid.
namespace Weft.Inference.Tools;

internal enum ScanStatus { Complete, Incomplete, Invalid }

internal static class JsonScan
{
    /// <summary>Nesting deeper than this is treated as invalid (a model's runaway brackets, not arguments).</summary>
    private const int MaxDepth = 64;

    public static int SkipWhitespace(string text, int pos)
    {
        while (pos < text.Length && text[pos] is ' ' or '\t' or '\n' or '\r') pos++;
        return pos;
    }

    /// <summary>The end (exclusive) of the JSON value starting at <paramref name="pos"/>; <see cref="ScanStatus.Incomplete"/>
    /// when the text stops inside it.</summary>
    public static ScanStatus Value(string text, int pos, out int end)
    {
        end = pos;
        var closers = new Stack<char>();
        int i = pos;
        while (true)
        {
            if (i >= text.Length) return ScanStatus.Incomplete;
            char c = text[i];
            switch (c)
            {
                case '{':
                case '[':
                    if (closers.Count >= MaxDepth) return ScanStatus.Invalid;
                    closers.Push(c == '{' ? '}' : ']');
                    i++;
                    break;
                case '}':
                case ']':
                    if (closers.Count == 0 || closers.Pop() != c) return ScanStatus.Invalid;
                    i++;
                    break;
                case '"':
                {
                    var s = String(text, i, out int after);
                    if (s != ScanStatus.Complete) return s;
                    i = after;
                    break;
                }
                case ' ' or '\t' or '\n' or '\r' or ',' or ':':
                    if (closers.Count == 0) return ScanStatus.Invalid;
                    i++;
                    break;
                default:
                    if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '+' or '.')) return ScanStatus.Invalid;
                    int start = i;
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '-' or '+' or '.')) i++;
                    if (i >= text.Length && closers.Count == 0) return ScanStatus.Incomplete; // a number may go on
                    if (!IsScalar(text.AsSpan(start, i - start))) return i >= text.Length ? ScanStatus.Incomplete : ScanStatus.Invalid;
                    break;
            }
            if (closers.Count == 0)
            {
                end = i;
                return ScanStatus.Complete;
            }
        }
    }

    private static bool IsScalar(ReadOnlySpan<char> s) =>
        s is "true" or "false" or "null" || (s.Length > 0 && (char.IsAsciiDigit(s[0]) || s[0] == '-') && double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _));

    /// <summary>A JSON string starting at the quote at <paramref name="pos"/>; <paramref name="end"/> is past its closing quote.</summary>
    public static ScanStatus String(string text, int pos, out int end)
    {
        end = pos;
        if (pos >= text.Length) return ScanStatus.Incomplete;
        if (text[pos] != '"') return ScanStatus.Invalid;
        for (int i = pos + 1; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\') { i++; continue; }
            if (c == '"') { end = i + 1; return ScanStatus.Complete; }
            if (c < ' ') return ScanStatus.Invalid;
        }
        return ScanStatus.Incomplete;
    }

    /// <summary>The text of a complete JSON string literal (escapes decoded).</summary>
    public static string Unquote(string literal) => System.Text.Json.JsonSerializer.Deserialize<string>(literal) ?? "";

    /// <summary>One member of an object being read: the key, and where its value starts and (once complete) ends.</summary>
    public readonly record struct Member(string Key, int ValueStart, int ValueEnd, bool Complete);

    /// <summary>The members of the object at <paramref name="pos"/> as far as the text goes; <paramref name="end"/> is
    /// past the closing brace when <see cref="ScanStatus.Complete"/>.</summary>
    public static ScanStatus Object(string text, int pos, List<Member> members, out int end)
    {
        end = pos;
        if (pos >= text.Length) return ScanStatus.Incomplete;
        if (text[pos] != '{') return ScanStatus.Invalid;
        int i = SkipWhitespace(text, pos + 1);
        if (i >= text.Length) return ScanStatus.Incomplete;
        if (text[i] == '}') { end = i + 1; return ScanStatus.Complete; }
        while (true)
        {
            var ks = String(text, i, out int keyEnd);
            if (ks != ScanStatus.Complete) return ks;
            string key = Unquote(text[i..keyEnd]);
            i = SkipWhitespace(text, keyEnd);
            if (i >= text.Length) return ScanStatus.Incomplete;
            if (text[i] != ':') return ScanStatus.Invalid;
            i = SkipWhitespace(text, i + 1);
            if (i >= text.Length) return ScanStatus.Incomplete;
            var vs = Value(text, i, out int valueEnd);
            if (vs == ScanStatus.Invalid) return vs;
            members.Add(new Member(key, i, vs == ScanStatus.Complete ? valueEnd : text.Length, vs == ScanStatus.Complete));
            if (vs == ScanStatus.Incomplete) return vs;
            i = SkipWhitespace(text, valueEnd);
            if (i >= text.Length) return ScanStatus.Incomplete;
            if (text[i] == '}') { end = i + 1; return ScanStatus.Complete; }
            if (text[i] != ',') return ScanStatus.Invalid;
            i = SkipWhitespace(text, i + 1);
            if (i >= text.Length) return ScanStatus.Incomplete;
        }
    }
}
