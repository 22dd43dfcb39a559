// Python's printf-style `'%s: %d' % (a, b)` for the conversions templates use (s r d i f g e x o c %).
using System.Globalization;
using System.Text;

namespace Weft.Inference.Templates;

internal static class PercentFormat
{
    public static string Apply(string format, Value args)
    {
        var list = args is ListValue { IsTuple: true } t ? t.Items : [args];
        var sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%') { sb.Append(c); continue; }
            if (++i >= format.Length) throw new RenderError("incomplete format");
            string flags = "";
            while ("-+ 0#".Contains(format[i])) { flags += format[i]; if (++i >= format.Length) throw new RenderError("incomplete format"); }
            int width = ReadNumber(format, ref i);
            int precision = -1;
            if (format[i] == '.') { i++; precision = ReadNumber(format, ref i); if (precision < 0) precision = 0; }
            char conv = format[i];
            if (conv == '%') { sb.Append('%'); continue; }
            if (next >= list.Count) throw new RenderError("not enough arguments for format string");
            var v = list[next++];
            string body = conv switch
            {
                's' => PyText.Str(v),
                'r' or 'a' => PyText.Repr(v),
                'd' or 'i' or 'u' => Integer(v).ToString(CultureInfo.InvariantCulture),
                'x' => Integer(v).ToString("x", CultureInfo.InvariantCulture),
                'X' => Integer(v).ToString("X", CultureInfo.InvariantCulture),
                'o' => Convert.ToString(Integer(v), 8),
                'f' or 'F' => Ops.AsDouble(v).ToString("F" + (precision < 0 ? 6 : precision), CultureInfo.InvariantCulture),
                'e' => Ops.AsDouble(v).ToString((precision < 0 ? "0.000000" : "0." + new string('0', precision)) + "e+00", CultureInfo.InvariantCulture),
                'g' => Ops.AsDouble(v).ToString("G" + (precision < 0 ? 6 : Math.Max(precision, 1)), CultureInfo.InvariantCulture),
                'c' => v is StringValue cs ? cs.V : char.ConvertFromUtf32((int)Integer(v)),
                _ => throw new RenderError($"unsupported format character '{conv}'"),
            };
            if (conv is 's' or 'r' or 'a' && precision >= 0 && body.Length > precision) body = body[..precision];
            if (flags.Contains('+') && conv is not ('s' or 'r' or 'a' or 'c') && !body.StartsWith('-')) body = "+" + body;
            if (body.Length < width)
            {
                if (flags.Contains('-')) body = body.PadRight(width);
                else if (flags.Contains('0') && conv is not ('s' or 'r' or 'a' or 'c'))
                {
                    bool sign = body.StartsWith('-') || body.StartsWith('+');
                    body = sign ? body[0] + body[1..].PadLeft(width - 1, '0') : body.PadLeft(width, '0');
                }
                else body = body.PadLeft(width);
            }
            sb.Append(body);
        }
        if (next < list.Count) throw new RenderError("not all arguments converted during string formatting");
        return sb.ToString();
    }

    private static int ReadNumber(string s, ref int i)
    {
        int start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        if (i >= s.Length) throw new RenderError("incomplete format");
        return i > start ? int.Parse(s.AsSpan(start, i - start), CultureInfo.InvariantCulture) : -1;
    }

    private static long Integer(Value v) => Ops.AsLong(v) ?? (v is FloatValue f ? (long)Math.Truncate(f.V)
        : throw new RenderError($"%d format: a real number is required, not {v.TypeName}"));
}
