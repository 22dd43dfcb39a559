// Inputs that stand for several files: the parts are separated by NUL bytes, which no JSON or YAML text holds.
namespace Weft.Fuzz;

public static class Parts
{
    /// <summary>The first <paramref name="count"/> NUL-separated parts; missing ones are null, the last keeps any NULs.</summary>
    public static byte[]?[] Split(byte[] data, int count)
    {
        var parts = new byte[]?[count];
        int start = 0;
        for (int i = 0; i < count && start <= data.Length; i++)
        {
            int end = i == count - 1 ? -1 : Array.IndexOf(data, (byte)0, start);
            if (end < 0) end = data.Length;
            parts[i] = data[start..end];
            start = end + 1;
        }
        return parts;
    }

    /// <summary>The inverse of <see cref="Split"/>: parts joined with NUL bytes.</summary>
    public static byte[] Join(params byte[][] parts)
    {
        var all = new List<byte>();
        for (int i = 0; i < parts.Length; i++)
        {
            if (i > 0) all.Add(0);
            all.AddRange(parts[i]);
        }
        return [.. all];
    }
}
