// Inputs that stand for several files: text parts are separated by NUL bytes, which no JSON or YAML text holds;
// binary parts follow as a 4-byte little-endian length, that many bytes, then the rest.
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

    /// <summary>Two binary parts: the first as long as the leading 4-byte length says (at most what follows), then the rest.</summary>
    public static (byte[] First, byte[] Second) SplitBinary(byte[] data)
    {
        if (data.Length < 4) return (data, []);
        long n = Math.Min(BitConverter.ToUInt32(data, 0), data.Length - 4L);
        return (data[4..(int)(4 + n)], data[(int)(4 + n)..]);
    }

    /// <summary>The inverse of <see cref="SplitBinary"/>.</summary>
    public static byte[] JoinBinary(byte[] first, byte[] rest) => [.. BitConverter.GetBytes((uint)first.Length), .. first, .. rest];

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
