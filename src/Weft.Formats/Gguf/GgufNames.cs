// What the GGUF spec asks of metadata keys and tensor names; shared by the reader and the writer.
namespace Weft.Formats.Gguf;

public static class GgufNames
{
    /// <summary>Longest metadata key the spec allows, in bytes.</summary>
    public const int MaxKeyBytes = ushort.MaxValue;
    /// <summary>Longest tensor name the spec allows, in bytes.</summary>
    public const int MaxTensorNameBytes = 64;

    /// <summary>Why <paramref name="key"/> is not a valid metadata key, or null when it is.</summary>
    public static string? KeyProblem(string key)
    {
        if (key.Length == 0) return "has an empty name";
        if (key.Length > MaxKeyBytes) return $"has a name of {key.Length} bytes (at most {MaxKeyBytes} allowed)";
        foreach (char c in key)
        {
            if (c is <= ' ' or >= (char)0x7F)
                return $"'{Printable(key)}' contains {CharName(c)}; keys are printable ASCII without spaces";
        }
        return null;
    }

    /// <summary>Why <paramref name="name"/> is not a valid tensor name, or null when it is.</summary>
    public static string? TensorNameProblem(string name)
    {
        if (name.Length == 0) return "has an empty name";
        int bytes;
        try
        {
            bytes = GgufReader.StrictUtf8.GetByteCount(name);
        }
        catch (System.Text.EncoderFallbackException)
        {
            return $"'{Printable(name)}' is not valid Unicode (an unpaired surrogate)";
        }
        if (bytes > MaxTensorNameBytes) return $"'{Printable(name)}' has a name of {bytes} bytes (at most {MaxTensorNameBytes} allowed)";
        foreach (char c in name)
        {
            if (char.IsControl(c)) return $"'{Printable(name)}' contains {CharName(c)}";
        }
        return null;
    }

    private static string CharName(char c) => $"the character U+{(int)c:X4}";

    /// <summary>A name made safe to print in an error message: control characters escaped, long names cut.</summary>
    public static string Printable(string s)
    {
        var sb = new System.Text.StringBuilder();
        foreach (char c in s.Length > 120 ? s[..120] : s)
        {
            if (char.IsControl(c)) sb.Append($"\\u{(int)c:X4}");
            else sb.Append(c);
        }
        if (s.Length > 120) sb.Append('…');
        return sb.ToString();
    }
}
