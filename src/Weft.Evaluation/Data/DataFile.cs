// A data file's bytes (through gzip when named .gz or starting with its magic) and its text as strict UTF-8 lines.
using System.IO.Compression;
using System.Text;

namespace Weft.Evaluation.Data;

internal static class DataFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The file's content, decompressed when it is gzip (magic bytes 1f 8b; a `.gz` name without them is an error).</summary>
    public static byte[] ReadBytes(string path)
    {
        if (!File.Exists(path)) throw new TaskDataException($"{path}: no such file");
        byte[] raw;
        try { raw = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TaskDataException($"{path}: cannot be read: {e.Message}", e);
        }
        bool magic = raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b;
        if (!magic)
        {
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                throw new TaskDataException($"{path}: named .gz but is not gzip data (it does not start with 1f 8b)");
            return raw;
        }
        try
        {
            using var input = new MemoryStream(raw, writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new TaskDataException($"{path}: the gzip data is damaged or cut short: {e.Message}", e);
        }
    }

    /// <summary>The whole file as text: strict UTF-8, a leading byte-order mark dropped; bad bytes are named by line.</summary>
    public static string ReadText(string path) => Decode(path, ReadBytes(path));

    /// <summary>The file's lines (1-based line i is element i − 1), each without its `\r\n` or `\n`; a final newline
    /// does not start another line.</summary>
    public static IReadOnlyList<string> ReadLines(string path) => SplitLines(ReadText(path));

    public static IReadOnlyList<string> SplitLines(string text)
    {
        var lines = new List<string>();
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            int stop = end > start && text[end - 1] == '\r' ? end - 1 : end;
            lines.Add(text[start..stop]);
            start = end + 1;
        }
        return lines;
    }

    public static string Decode(string path, byte[] bytes)
    {
        int offset = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        try { return StrictUtf8.GetString(bytes, offset, bytes.Length - offset); }
        catch (DecoderFallbackException e)
        {
            throw new TaskDataException($"{path}:{BadUtf8Line(bytes, offset)}: not valid UTF-8 text", e);
        }
    }

    // The 1-based line holding the first byte sequence that is not UTF-8 (found by decoding line by line).
    private static int BadUtf8Line(byte[] bytes, int offset)
    {
        int line = 1;
        for (int start = offset; start < bytes.Length; line++)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0) end = bytes.Length;
            try { StrictUtf8.GetCharCount(bytes, start, end - start); }
            catch (DecoderFallbackException) { return line; }
            start = end + 1;
        }
        return line;
    }
}
