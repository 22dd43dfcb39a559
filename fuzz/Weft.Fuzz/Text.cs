// Bytes as the text a file reader would see (invalid UTF-8 becomes U+FFFD, as File.ReadAllText does).
using System.Text;

namespace Weft.Fuzz;

public static class Text
{
    public static string Of(byte[] data) => Encoding.UTF8.GetString(data);
}
