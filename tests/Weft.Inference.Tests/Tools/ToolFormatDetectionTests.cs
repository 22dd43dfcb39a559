// Tool-call formats found by rendering llama.cpp's copies of real chat templates: each family's markers and layout, a
// template without tools refused, and every tool-taking template's own rendering of a call read back by the parser.
using System.Text.Json;
using Weft.Inference.Templates;
using Weft.Inference.Tools;

namespace Weft.Inference.Tests.Tools;

public class ToolFormatDetectionTests
{
    private static ToolSupport Detect(string file) => ToolFormatDetector.Detect(ChatTemplate.Parse(LlamaCppTemplates.Read(file), file), "<s>", "</s>");

    private static ToolCallFormat Format(string file) =>
        Detect(file).Format ?? throw new Xunit.Sdk.XunitException($"{file}: no tool support found");

    [LlamaCppTemplateTheory]
    [InlineData("Qwen-Qwen2.5-7B-Instruct.jinja")]
    [InlineData("Qwen-Qwen3-0.6B.jinja")]
    [InlineData("NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja")]
    [InlineData("NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja")]
    public void HermesStyleTemplatesWrapEachCallInToolCallTags(string file)
    {
        var f = Format(file);
        Assert.Equal(ToolCallLayout.JsonObject, f.Layout);
        Assert.Equal("<tool_call>", f.Opening.Trim());
        Assert.Equal("</tool_call>", f.Closing.Trim());
        Assert.Equal("</tool_call>\n<tool_call>", f.Between?.Trim());
        Assert.Equal(("name", "arguments"), (f.NameKey, f.ArgumentsKey));
        Assert.False(f.ArgumentsAsText);
    }

    [LlamaCppTemplateTheory]
    [InlineData("meta-llama-Llama-3.1-8B-Instruct.jinja")]
    [InlineData("meta-llama-Llama-3.2-3B-Instruct.jinja")]
    [InlineData("meta-llama-Llama-3.3-70B-Instruct.jinja")]
    public void LlamaTemplatesWriteOneBareObjectWithParameters(string file)
    {
        var f = Format(file);
        Assert.Equal(ToolCallLayout.JsonObject, f.Layout);
        Assert.Equal("", f.Opening);
        Assert.Equal("", f.Closing); // <|eom_id|> ends the turn, not the call
        Assert.Null(f.Between); // the template refuses two calls in one message
        Assert.Equal(("name", "parameters"), (f.NameKey, f.ArgumentsKey));
    }

    [LlamaCppTemplateFact]
    public void MistralNemoListsCallsAfterToolCallsWithTheirIds()
    {
        var f = Format("mistralai-Mistral-Nemo-Instruct-2407.jinja");
        Assert.Equal(ToolCallLayout.JsonObject, f.Layout);
        Assert.Equal("[TOOL_CALLS][", f.Opening);
        Assert.Equal(", ", f.Between);
        Assert.Equal("]", f.Closing);
        Assert.Equal("id", f.IdKey);
    }

    [LlamaCppTemplateFact]
    public void MistralSmallPutsTheIdBetweenNameAndArguments()
    {
        var f = Format("Mistral-Small-3.2-24B-Instruct-2506.jinja");
        Assert.True(f.Layout == ToolCallLayout.NameThenArguments, JsonSerializer.Serialize(f));
        Assert.Equal("[TOOL_CALLS]", f.Opening);
        Assert.Equal("[CALL_ID]" + ToolCallFormat.IdPlaceholder + "[ARGS]", f.NameSeparator);
        var a = ToolCallParser.Parse(f, "[TOOL_CALLS]get_weather[CALL_ID]a1B2c3D4e[ARGS]{\"city\": \"Oslo\"}[TOOL_CALLS]get_time[CALL_ID]b1B2c3D4e[ARGS]{}", i => $"id{i}");
        Assert.Equal(["a1B2c3D4e|get_weather|{\"city\": \"Oslo\"}", "b1B2c3D4e|get_time|{}"], a.Calls.Select(c => c.Id + "|" + c.Name + "|" + c.Arguments));
    }

    [LlamaCppTemplateFact]
    public void FunctionaryV31WritesFunctionTags()
    {
        var f = Format("meetkai-functionary-medium-v3.1.jinja");
        Assert.Equal(ToolCallLayout.NameThenArguments, f.Layout);
        Assert.Equal(("<function=", ">", "</function>"), (f.Opening, f.NameSeparator, f.Closing));
    }

    [LlamaCppTemplateFact]
    public void FunctionaryV32WritesRecipientLinesAfterThePromptsArrows()
    {
        var f = Format("meetkai-functionary-medium-v3.2.jinja");
        Assert.Equal(ToolCallLayout.NameThenArguments, f.Layout);
        Assert.Equal("", f.Opening); // the generation prompt already ends in >>>
        Assert.Equal(">>>", f.Between);
        Assert.Equal("\n", f.NameSeparator);
        Assert.Equal("all\n", f.ContentPrefix); // a plain answer is addressed to "all"
        Assert.True(f.ArgumentsAsText); // the template concatenates the arguments' text
    }

    [LlamaCppTemplateFact]
    public void DeepSeekR1WritesNameThenFencedArguments()
    {
        var f = Format("llama-cpp-deepseek-r1.jinja");
        Assert.Equal(ToolCallLayout.NameThenArguments, f.Layout);
        Assert.Equal("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>", f.Opening);
        Assert.Equal("\n```json\n", f.NameSeparator);
        Assert.Equal("\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>", f.Closing);
    }

    [LlamaCppTemplateTheory]
    [InlineData("google-gemma-2-2b-it.jinja")]
    [InlineData("microsoft-Phi-3.5-mini-instruct.jinja")]
    [InlineData("deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja")]
    public void TemplatesThatIgnoreToolsHaveNoToolSupport(string file)
    {
        var s = Detect(file);
        Assert.False(s.UsesTools);
        Assert.Null(s.Format);
    }

    [Fact]
    public void ChatmlWithoutToolsHasNoToolSupport() =>
        Assert.False(ToolFormatDetector.Detect(BuiltinTemplates.Choose(null)).UsesTools);

    [LlamaCppTemplateFact]
    public void EveryToolTemplatesOwnRenderingOfACallParsesBack()
    {
        var failures = new List<string>();
        int read = 0, fallback = 0, without = 0, notCut = 0;
        foreach (string path in Directory.GetFiles(LlamaCppTemplates.Folder, "*.jinja").Order(StringComparer.Ordinal))
        {
            string file = Path.GetFileName(path);
            ChatTemplate template;
            try { template = ChatTemplate.Parse(File.ReadAllText(path), file); }
            catch (TemplateException) { continue; }
            var support = ToolFormatDetector.Detect(template, "<s>", "</s>");
            if (support.Format is not { } f) { without++; continue; }
            if (f.Fallback) { fallback++; continue; }
            string args = """{"city": "Paris", "days": 3}""";
            string call = """{"id": "abc123XYZ", "type": "function", "function": {"name": "get_weather", "arguments": ARGS}}"""
                .Replace("ARGS", f.ArgumentsAsText ? JsonSerializer.Serialize(args) : args, StringComparison.Ordinal);
            var tools = JsonValues.FromJson(JsonDocument.Parse("""[{"type": "function", "function": {"name": "get_weather", "description": "The weather.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}}}}]""").RootElement);
            string user = """{"role": "user", "content": "Weather?"}""";
            string prompt, rendered;
            try
            {
                prompt = Render(template, $"[{user}]", tools, true);
                rendered = Render(template, $$"""[{{user}}, {"role": "assistant", "content": {{(f.EmptyContentAsText ? "\"\"" : "null")}}, "tool_calls": [{{call}}]}]""", tools, false);
            }
            catch (TemplateException e) { failures.Add($"{file}: {e.Message}"); continue; }
            if (!rendered.StartsWith(prompt, StringComparison.Ordinal)) { notCut++; continue; }
            var answer = ToolCallParser.Parse(f, rendered[prompt.Length..], i => $"id{i}");
            if (answer.Calls.Count != 1 || answer.Calls[0].Name != "get_weather"
                || JsonSerializer.Serialize(JsonDocument.Parse(answer.Calls[0].Arguments)) != JsonSerializer.Serialize(JsonDocument.Parse(args)))
                failures.Add($"{file}: read {JsonSerializer.Serialize(answer)} from {JsonSerializer.Serialize(rendered[prompt.Length..])} with {JsonSerializer.Serialize(f)}");
            else read++;
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // 27 of the 70 files in December 2026; 28 more take tools but write calls the probe does not find (XML
        // parameters, say) and get the plain JSON fallback
        Assert.True(read >= 25, $"{read} read back, {fallback} fallback, {without} without tools, {notCut} not cut");
    }

    private static string Render(ChatTemplate t, string messages, Value tools, bool generationPrompt) => t.Render(new ChatTemplateContext
    {
        Messages = ChatMessage.ListFromJson(messages), AddGenerationPrompt = generationPrompt, BosToken = "<s>", EosToken = "</s>",
        Variables = new(StringComparer.Ordinal) { ["tools"] = tools }, Clock = () => new DateTime(2026, 1, 1),
    });
}
