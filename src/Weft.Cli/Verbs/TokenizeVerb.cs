// weft tokenize MODEL (--text T | --file F | --jsonl F) [--no-bos] [--special] [--pieces]: how text is split.
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Weft.Formats.Gguf;
using Weft.Models.Loading;
using Weft.Tokenizers;

namespace Weft.Cli.Verbs;

internal static class TokenizeVerb
{
    private static readonly JsonSerializerOptions PieceJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The file's text; bytes that are not UTF-8 are an error naming the offset, never silently replaced.</summary>
    private static string ReadUtf8(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new UsageException($"{path} is not valid UTF-8 (bad byte at offset {e.Index})");
        }
    }

    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "a GGUF model or vocabulary-only file" };
        var text = new Option<string>("--text") { Description = "the text to tokenize" };
        var file = new Option<string>("--file") { Description = "a UTF-8 file to tokenize" };
        var jsonl = new Option<string>("--jsonl") { Description = "one JSON string per line; prints one JSON array of ids per line" };
        var noBos = new Option<bool>("--no-bos") { Description = "do not add the BOS/EOS tokens the vocabulary asks for" };
        var special = new Option<bool>("--special") { Description = "recognise special-token texts such as <s> in the text" };
        var pieces = new Option<bool>("--pieces") { Description = "print each id with its piece" };
        var repeat = new Option<int>("--repeat") { Description = "tokenize the text R more times and print the median time of those runs to stderr (a warm measurement)" };
        var cmd = new Command("tokenize", "Split text into token ids") { model, text, file, jsonl, noBos, special, pieces, repeat };
        cmd.SetAction(r =>
        {
            int given = (r.GetValue(text) != null ? 1 : 0) + (r.GetValue(file) != null ? 1 : 0) + (r.GetValue(jsonl) != null ? 1 : 0);
            if (given != 1) throw new UsageException("give exactly one of --text, --file, --jsonl");
            var tokenizer = LoadTokenizer(r.GetValue(model)!);
            bool addSpecial = !r.GetValue(noBos), parseSpecial = r.GetValue(special);
            var stdout = Console.Out;
            if (r.GetValue(jsonl) is string lines)
            {
                int lineNo = 0;
                foreach (var line in File.ReadLines(lines))
                {
                    lineNo++;
                    if (line.Length == 0) continue;
                    string input;
                    try { input = JsonSerializer.Deserialize<string>(line) ?? throw new JsonException("null"); }
                    catch (JsonException e) { throw new UsageException($"{lines}:{lineNo}: not a JSON string ({e.Message})"); }
                    stdout.WriteLine("[" + string.Join(",", tokenizer.Encode(input, addSpecial, parseSpecial)) + "]");
                }
                return 0;
            }
            string source = r.GetValue(text) ?? ReadUtf8(r.GetValue(file)!);
            var ids = tokenizer.Encode(source, addSpecial, parseSpecial);
            if (r.GetValue(repeat) < 0) throw new UsageException("--repeat must not be negative");
            if (r.GetValue(repeat) > 0) ReportWarmTime(tokenizer, source, addSpecial, parseSpecial, r.GetValue(repeat));
            if (r.GetValue(pieces))
                foreach (int id in ids) stdout.WriteLine($"{id,8} {JsonSerializer.Serialize(tokenizer.TokenText(id), PieceJson)}");
            else stdout.WriteLine(string.Join(",", ids));
            return 0;
        });
        return cmd;
    }

    /// <summary>Times R more encodings of the same text (the first one, above, warmed the code up) and prints the median.</summary>
    private static void ReportWarmTime(Tokenizer tokenizer, string source, bool addSpecial, bool parseSpecial, int runs)
    {
        var ms = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            tokenizer.Encode(source, addSpecial, parseSpecial);
            ms[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(ms);
        Console.Error.WriteLine(FormattableString.Invariant($"weft: tokenized {source.Length} chars in {ms[runs / 2]:F1} ms (median of {runs} warm runs)"));
    }

    public static Tokenizer LoadTokenizer(string path)
    {
        using var file = GgufFile.Open(path);
        return GgufTokenizerLoader.Load(file);
    }
}
