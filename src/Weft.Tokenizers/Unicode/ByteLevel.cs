// GPT-2's reversible byte <-> character mapping: printable Latin-1 bytes stand for themselves, the other
// 68 bytes are moved, in byte order, to U+0100 and up, so every byte string becomes a printable string.
using System.Text;

namespace Weft.Tokenizers.Unicode;

public static class ByteLevel
{
    private static readonly char[] s_byteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> s_charToByte = BuildCharToByte();

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static Dictionary<char, byte> BuildCharToByte()
    {
        var map = new Dictionary<char, byte>(256);
        for (int b = 0; b < 256; b++) map[s_byteToChar[b]] = (byte)b;
        return map;
    }

    public static char ByteToChar(byte b) => s_byteToChar[b];

    public static bool TryCharToByte(int cp, out byte b)
    {
        b = 0;
        return cp < 0x10000 && s_charToByte.TryGetValue((char)cp, out b);
    }

    /// <summary>The mapped form of a string's UTF-8 bytes.</summary>
    public static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = s_byteToChar[bytes[i]];
        return new string(chars);
    }
}
