// JsonDocument checks JSON syntax but not the text inside strings: invalid UTF-8 or a lone surrogate escape only fails
// when the string is read, as an InvalidOperationException. Headers are checked once, up front, instead.
using System.Buffers;
using System.Text.Json;

namespace Weft.Formats;

internal static class JsonStrings
{
    /// <summary>The byte offset of the first string or property name of <paramref name="json"/> (already parsed, so
    /// well-formed) that does not decode to UTF-16; -1 when all do.</summary>
    public static long FirstInvalid(ReadOnlySpan<byte> json, JsonReaderOptions options = default)
    {
        var reader = new Utf8JsonReader(json, options);
        char[] buffer = ArrayPool<char>.Shared.Rent(256);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) continue;
                if (buffer.Length < reader.ValueSpan.Length)
                {
                    ArrayPool<char>.Shared.Return(buffer);
                    buffer = ArrayPool<char>.Shared.Rent(reader.ValueSpan.Length);
                }
                try { reader.CopyString(buffer); }
                catch (InvalidOperationException) { return reader.TokenStartIndex; }
            }
            return -1;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
