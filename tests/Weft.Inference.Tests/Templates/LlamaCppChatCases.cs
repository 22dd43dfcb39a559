// Reads the cases of llama.cpp's tests/test-chat-template.cpp (template, conversation, expected outputs) at test time.
using System.Text;
using System.Text.RegularExpressions;
using Weft.TestKit;

namespace Weft.Inference.Tests.Templates;

public sealed record LlamaCppChatCase(string Name, string Template, string Expected, string ExpectedJinja, string Bos, string Eos,
    bool SupportedWithJinja, List<(string Role, string Content)> Conversation)
{
    /// <summary>What a real Jinja renderer should produce: the Jinja-specific output when the case gives one.</summary>
    public string JinjaExpected => ExpectedJinja.Length > 0 ? ExpectedJinja : Expected;
}

public static partial class LlamaCppChatCases
{
    public static string SourcePath => Path.Combine(Oracle.LlamaSource, "tests", "test-chat-template.cpp");

    [GeneratedRegex(@"(?:u8)?""((?:[^""\\]|\\.)*)""")]
    private static partial Regex CString();

    public static List<LlamaCppChatCase> Load()
    {
        Oracle.Require();
        string src = File.ReadAllText(SourcePath, Encoding.UTF8);
        string body = src[src.IndexOf("int main_automated_tests", StringComparison.Ordinal)..];
        int convStart = body.IndexOf("conversation {", StringComparison.Ordinal) + "conversation {".Length;
        var shared = Pairs(body[convStart..body.IndexOf("};", convStart, StringComparison.Ordinal)]);
        var cases = new List<LlamaCppChatCase>();
        var chunks = body.Split("/* .name= */");
        foreach (var chunk in chunks.Skip(1))
        {
            string? Field(string name)
            {
                var m = Regex.Match(chunk, @"/\* \." + name + @"=? \*/\s*(?:U8C\(\s*)?((?:(?:u8)?""(?:[^""\\]|\\.)*""\s*)+)");
                return m.Success ? Concat(m.Groups[1].Value) : null;
            }
            string name = Concat(Regex.Match(chunk, @"^\s*((?:(?:u8)?""(?:[^""\\]|\\.)*""\s*)+)").Groups[1].Value);
            var extra = new List<(string, string)>();
            var em = Regex.Match(chunk, @"/\* \.extra_conversation= \*/\s*\{(.*?)\}\s*,?\s*\n", RegexOptions.Singleline);
            if (em.Success) extra = Pairs(em.Groups[1].Value);
            bool supported = !Regex.IsMatch(chunk, @"/\* \.supported_with_jinja= \*/\s*false");
            cases.Add(new LlamaCppChatCase(name, Field("template_str") ?? throw new InvalidDataException($"{name}: no template"),
                Field("expected_output") ?? "", Field("expected_output_jinja") ?? "", Field("bos_token") ?? "", Field("eos_token") ?? "",
                supported, [.. shared, .. extra]));
        }
        if (shared.Count != 6 || cases.Count < 30) throw new InvalidDataException($"could not parse {SourcePath} ({shared.Count} messages, {cases.Count} cases)");
        return cases;
    }

    private static List<(string, string)> Pairs(string block)
    {
        var list = new List<(string, string)>();
        foreach (Match m in Regex.Matches(block, @"(?:u8)?""((?:[^""\\]|\\.)*)""\s*,\s*(?:u8)?""((?:[^""\\]|\\.)*)"""))
            list.Add((Unescape(m.Groups[1].Value), Unescape(m.Groups[2].Value)));
        return list;
    }

    private static string Concat(string literals) => string.Concat(CString().Matches(literals).Select(m => Unescape(m.Groups[1].Value)));

    /// <summary>C string-literal escapes (\n \t \" \\ \xNN …) over the UTF-8 bytes of the literal.</summary>
    private static string Unescape(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        var output = new List<byte>();
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != '\\') { output.Add(bytes[i]); continue; }
            char e = (char)bytes[++i];
            switch (e)
            {
                case 'n': output.Add((byte)'\n'); break;
                case 't': output.Add((byte)'\t'); break;
                case 'r': output.Add((byte)'\r'); break;
                case '0': output.Add(0); break;
                case '"' or '\\' or '\'': output.Add((byte)e); break;
                case 'x':
                    {
                        int v = 0, n = 0;
                        while (i + 1 < bytes.Length && Uri.IsHexDigit((char)bytes[i + 1])) { v = v * 16 + Convert.ToInt32(((char)bytes[++i]).ToString(), 16); n++; }
                        if (n == 0) throw new InvalidDataException("bad \\x escape");
                        output.Add((byte)v);
                        break;
                    }
                default: throw new InvalidDataException($"unsupported escape \\{e}");
            }
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }
}
