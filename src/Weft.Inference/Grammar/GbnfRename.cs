// Renames every rule of a GBNF text (definitions and references) so several grammars can be joined into one:
// root becomes the prefix itself, any other rule r becomes prefix-r. Literals, classes, repetitions and comments are kept.
using System.Text;

namespace Weft.Inference.Grammar;

internal static class GbnfRename
{
    public static string Prefix(string gbnf, string prefix)
    {
        var sb = new StringBuilder(gbnf.Length + 256);
        int i = 0;
        while (i < gbnf.Length)
        {
            char c = gbnf[i];
            if (c is '"' or '[' or '{') i = CopyDelimited(gbnf, i, c == '"' ? '"' : c == '[' ? ']' : '}', sb);
            else if (c == '#')
            {
                int end = gbnf.IndexOf('\n', i);
                end = end < 0 ? gbnf.Length : end;
                sb.Append(gbnf, i, end - i);
                i = end;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            {
                int start = i;
                while (i < gbnf.Length && (char.IsAsciiLetterOrDigit(gbnf[i]) || gbnf[i] is '-' or '_')) i++;
                string name = gbnf[start..i];
                sb.Append(name == "root" ? prefix : prefix + "-" + name);
            }
            else
            {
                sb.Append(c);
                i++;
            }
        }
        return sb.ToString();
    }

    /// <summary>Copies from the opening character at <paramref name="i"/> through its unescaped closing one.</summary>
    private static int CopyDelimited(string text, int i, char close, StringBuilder sb)
    {
        int start = i++;
        while (i < text.Length && text[i] != close)
            i += text[i] == '\\' ? 2 : 1;
        i = Math.Min(i + 1, text.Length);
        sb.Append(text, start, i - start);
        return i;
    }
}
