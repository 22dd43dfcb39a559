// Every case of llama.cpp's test-chat-template.cpp rendered by our engine, checked against its expected output and real Jinja2.
using System.Text.Json.Nodes;

namespace Weft.Inference.Tests.Templates;

public class LlamaCppCaseTests
{
    /// <summary>
    /// Cases whose expected output real Jinja2 does not produce, each with the reason. The test checks the claim:
    /// Jinja2 must differ from the expected output and our engine must agree with Jinja2.
    /// </summary>
    private const string SystemPolyfill = "llama.cpp's Jinja path rewrites the conversation before rendering (it folds the system message into the first user message for templates without system support); real Jinja2 renders the conversation as given";

    private static readonly Dictionary<string, string> NotJinjaOutput = new(StringComparer.Ordinal)
    {
        ["mistralai/Mistral-7B-Instruct-v0.2 (NOTE: Old pre-v1 without a system prompt)"] = SystemPolyfill + " (here: raise_exception, roles do not alternate)",
        ["google/gemma-7b-it"] = SystemPolyfill + " (here: raise_exception('System role not supported'))",
        ["OrionStarAI/Orion-14B-Chat"] = SystemPolyfill + " (here: the template skips system messages)",
        ["Phi-3-mini"] = SystemPolyfill + " (here: the template skips system messages)",
        ["Phi-3-medium"] = SystemPolyfill + " (here: the template skips system messages)",
        ["yandex/YandexGPT-5-Lite-8B-instruct"] = SystemPolyfill + " (here: the template skips system messages)",
        ["ai-sage/GigaChat-20B-A3B-instruct"] = "marked supported_with_jinja=false in llama.cpp: the template needs additional_special_tokens, which the case does not supply (Jinja2: undefined)",
    };

    private static JsonObject Context(LlamaCppChatCase c) => new()
    {
        ["messages"] = new JsonArray(c.Conversation.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray()),
        ["add_generation_prompt"] = true,
        ["bos_token"] = c.Bos,
        ["eos_token"] = c.Eos,
    };

    [Fact]
    public void EveryCaseMatchesItsExpectedOutputOrIsExplained()
    {
        var cases = LlamaCppChatCases.Load();
        var jinja = Jinja2Oracle.RenderAll(cases.Select(c => (c.Template, Context(c))).ToList());
        var failures = new List<string>();
        int matched = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var ours = Ours.Render(c.Template, Context(c), c.Name);
            if (NotJinjaOutput.TryGetValue(c.Name, out var reason))
            {
                if (jinja[i].Ok && jinja[i].Text == c.JinjaExpected) failures.Add($"{c.Name}: listed ({reason}) but Jinja2 does produce the expected output");
                if (Ours.Mismatch(jinja[i], ours) is { } m) failures.Add($"{c.Name}: listed case, ours differs from Jinja2\n{m}");
                continue;
            }
            if (ours.Ok && ours.Text == c.JinjaExpected) { matched++; continue; }
            failures.Add($"{c.Name}:\n  want: {System.Text.Json.JsonSerializer.Serialize(c.JinjaExpected)}\n  ours: {(ours.Ok ? "" : "ERROR ")}{System.Text.Json.JsonSerializer.Serialize(ours.Text)}\n  jinja2: {(jinja[i].Ok ? "" : "ERROR ")}{System.Text.Json.JsonSerializer.Serialize(jinja[i].Text)}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed ({matched} matched):\n" + string.Join("\n", failures));
        Assert.Equal(cases.Count - NotJinjaOutput.Count, matched);
    }
}
