// Python's str() and repr() of template values, and Python's float formatting (shortest round-trip, repr rules).
using System.Globalization;
using System.Text;

namespace Weft.Inference.Templates;

internal static class PyText
{
    /// <summary>str(v) as Python prints it; Undefined prints as the empty string.</summary>
    public static string Str(Value v) => v switch
    {
        StringValue s => s.V,
        UndefinedValue => "",
        _ => Repr(v),
    };

    public static string Repr(Value v)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, v, 0);
        return sb.ToString();
    }

    private static void AppendRepr(StringBuilder sb, Value v, int depth)
    {
        if (depth > 200) throw new RenderError("value nested too deeply to print");
        switch (v)
        {
            case NoneValue: sb.Append("None"); break;
            case UndefinedValue: break;
            case BoolValue b: sb.Append(b.V ? "True" : "False"); break;
            case IntValue i: sb.Append(i.V.ToString(CultureInfo.InvariantCulture)); break;
            case FloatValue f: sb.Append(Float(f.V)); break;
            case StringValue s: AppendStringRepr(sb, s.V); break;
            case ListValue l:
                sb.Append(l.IsTuple ? '(' : '[');
                for (int k = 0; k < l.Items.Count; k++)
                {
                    if (k > 0) sb.Append(", ");
                    AppendRepr(sb, l.Items[k], depth + 1);
                }
                if (l.IsTuple && l.Items.Count == 1) sb.Append(',');
                sb.Append(l.IsTuple ? ')' : ']');
                break;
            case DictValue d:
                sb.Append('{');
                bool first = true;
                foreach (var kv in d.Items)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    AppendRepr(sb, kv.Key, depth + 1);
                    sb.Append(": ");
                    AppendRepr(sb, kv.Value, depth + 1);
                }
                sb.Append('}');
                break;
            case NamespaceValue n:
                sb.Append("<Namespace {");
                bool f1 = true;
                foreach (var kv in n.Attributes)
                {
                    if (!f1) sb.Append(", ");
                    f1 = false;
                    AppendStringRepr(sb, kv.Key);
                    sb.Append(": ");
                    AppendRepr(sb, kv.Value, depth + 1);
                }
                sb.Append("}>");
                break;
            case CallableValue c: sb.Append("<function ").Append(c.Name).Append('>'); break;
            default: sb.Append(v.TypeName); break;
        }
    }

    /// <summary>Python's string repr: single quotes unless the text has ' and no ", escapes for non-printables.</summary>
    public static void AppendStringRepr(StringBuilder sb, string s)
    {
        char q = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(q);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == q || c == '\\') sb.Append('\\').Append(c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                int cp = char.ConvertToUtf32(c, s[i + 1]);
                var cat = CharUnicodeInfo.GetUnicodeCategory(cp);
                if (IsPrintable(cat)) sb.Append(c).Append(s[i + 1]);
                else sb.Append("\\U").Append(cp.ToString("x8", CultureInfo.InvariantCulture));
                i++;
            }
            else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else if (c < 0x7f) sb.Append(c);
            else if (!IsPrintable(CharUnicodeInfo.GetUnicodeCategory(c)))
            {
                if (c <= 0xff) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                else sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else sb.Append(c);
        }
        sb.Append(q);
    }

    // Python's str.isprintable: everything but categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (space excepted by the caller).
    private static bool IsPrintable(UnicodeCategory cat) => cat is not (UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);

    /// <summary>repr(float): shortest round-trip digits, exponent form outside 1e-4 ≤ |x| &lt; 1e16.</summary>
    public static string Float(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0.0" : "0.0";
        // "R" gives the shortest round-trip digits in either notation; normalise to digits + exponent.
        string shortest = d.ToString("R", CultureInfo.InvariantCulture);
        bool neg = shortest.StartsWith('-');
        if (neg) shortest = shortest[1..];
        int exp = 0;
        int e = shortest.IndexOfAny(['E', 'e']);
        string mant = shortest;
        if (e >= 0)
        {
            exp = int.Parse(shortest[(e + 1)..], CultureInfo.InvariantCulture);
            mant = shortest[..e];
        }
        int dot = mant.IndexOf('.');
        string digits = dot >= 0 ? mant.Remove(dot, 1) : mant;
        int pointPos = (dot >= 0 ? dot : mant.Length) + exp; // decimal point position within digits
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') { lead++; pointPos--; }
        digits = digits[lead..].TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        int sciExp = pointPos - 1;
        var sb = new StringBuilder();
        if (neg) sb.Append('-');
        if (sciExp >= -4 && sciExp < 16)
        {
            if (pointPos <= 0) sb.Append("0.").Append('0', -pointPos).Append(digits);
            else if (pointPos >= digits.Length) sb.Append(digits).Append('0', pointPos - digits.Length).Append(".0");
            else sb.Append(digits, 0, pointPos).Append('.').Append(digits, pointPos, digits.Length - pointPos);
        }
        else
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(sciExp < 0 ? '-' : '+').Append(Math.Abs(sciExp).ToString("00", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
