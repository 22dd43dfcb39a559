// Chat templates: the Jinja lexer, parser and renderer, on a conversation with a system prompt, tools and tool calls,
// under tight render limits (steps, output size, depth) so that no template can run long legitimately.
using System.Text.Json;
using Weft.Inference.Templates;

namespace Weft.Fuzz.Targets;

public static class JinjaTarget
{
    public static FuzzTarget Target { get; } = new("jinja", "ChatTemplate.Parse/Render", Feed, [typeof(TemplateException)]);

    /// <summary>Made per input: instrumented code must not run before the fuzzer's loop starts.</summary>
    public static RenderLimits Limits() => new() { MaxSteps = 200_000, MaxOutputChars = 1 << 20, MaxDepth = 64 };

    /// <summary>A plain conversation, then one with tools, a tool call and its result, as the server renders them.</summary>
    private static readonly string[] Contexts =
    [
        """
        {"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},
          {"role":"assistant","content":"Hello!"},{"role":"user","content":"What is 2+2?"}],
         "bos_token":"<s>","eos_token":"</s>"}
        """,
        """
        {"messages":[{"role":"user","content":"What is 2+2?"},
          {"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function",
            "function":{"name":"add","arguments":{"a":2,"b":2}}}]},
          {"role":"tool","tool_call_id":"call_1","name":"add","content":"4"},
          {"role":"assistant","content":"4"},{"role":"user","content":"Thanks"}],
         "bos_token":"<s>","eos_token":"</s>",
         "tools":[{"type":"function","function":{"name":"add","description":"Adds.",
           "parameters":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"]}}}],
         "enable_thinking":false}
        """,
    ];

    private static readonly DateTime Now = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private static void Feed(byte[] data)
    {
        var template = ChatTemplate.Parse(Text.Of(data), "fuzz");
        foreach (string context in Contexts) template.Render(Context(context));
    }

    private static ChatTemplateContext Context(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var ctx = ChatTemplateContext.FromJson(doc.RootElement, () => Now);
        return new ChatTemplateContext
        {
            Messages = ctx.Messages, AddGenerationPrompt = true, BosToken = ctx.BosToken, EosToken = ctx.EosToken,
            Variables = ctx.Variables, Clock = ctx.Clock, Limits = Limits(),
        };
    }
}
