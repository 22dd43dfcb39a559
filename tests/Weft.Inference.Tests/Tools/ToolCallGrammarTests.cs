// Forced calls under grammar: for every tool format found in llama.cpp's templates (and the plain JSON fallback), text
// sampled at temperature 1 after a required or named call's prefill reads back as calls of the given functions, each
// with arguments that validate against that function's schema (JsonSchema.Net).
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Weft.Inference.Generation;
using Weft.Inference.Grammar;
using Weft.Inference.Templates;
using Weft.Inference.Tests.Grammar;
using Weft.Inference.Tools;
using Xunit.Abstractions;

namespace Weft.Inference.Tests.Tools;

[Collection(GrammarModelCollection.Name)]
public class ToolCallGrammarTests(GrammarTestModel model, ITestOutputHelper output)
{
    private const string Weather = """{"type": "object", "properties": {"city": {"type": "string", "maxLength": 12}, "days": {"type": "integer", "minimum": 1, "maximum": 14}, "unit": {"enum": ["C", "F"]}}, "required": ["city", "days"], "additionalProperties": false}""";
    private const string Search = """{"type": "object", "properties": {"query": {"type": "string", "maxLength": 20}, "exact": {"type": "boolean"}}, "required": ["query", "exact"], "additionalProperties": false}""";

    private static readonly ToolFunctionGrammar[] Functions =
    [
        new("get_weather", JsonDocument.Parse(Weather).RootElement.Clone()),
        new("search", JsonDocument.Parse(Search).RootElement.Clone()),
        new("get_time", null),
    ];

    private static readonly Dictionary<string, JsonSchema?> Schemas = new()
    {
        ["get_weather"] = JsonSchema.FromText(Weather), ["search"] = JsonSchema.FromText(Search), ["get_time"] = null,
    };

    /// <summary>Each distinct format the probes find in llama.cpp's templates, with the first file that has it.</summary>
    private static List<(string File, ToolCallFormat Format)> Formats()
    {
        var formats = new List<(string, ToolCallFormat)> { ("(plain JSON fallback)", ToolCallFormat.PlainJson) };
        foreach (string path in Directory.GetFiles(LlamaCppTemplates.Folder, "*.jinja").Order(StringComparer.Ordinal))
        {
            ChatTemplate template;
            try { template = ChatTemplate.Parse(File.ReadAllText(path), Path.GetFileName(path)); }
            catch (TemplateException) { continue; }
            if (ToolFormatDetector.Detect(template, "<s>", "</s>").Format is { Fallback: false } f && !formats.Any(x => x.Item2 == f))
                formats.Add((Path.GetFileName(path), f));
        }
        return formats;
    }

    [LlamaCppTemplateFact]
    public void SampledForcedCallsReadBackAsValidCallsInEveryFormat()
    {
        int baseSeed = Random.Shared.Next(1, 1_000_000);
        output.WriteLine($"seeds from {baseSeed}");
        int seed = baseSeed, checkedCalls = 0, unfinished = 0, formats = 0, unconstrained = 0;
        var failures = new List<string>();
        foreach (var (file, format) in Formats())
        {
            formats++;
            foreach (var (choice, maxCalls) in new[] { (new ToolChoice(ToolChoiceKind.Required), int.MaxValue), (new ToolChoice(ToolChoiceKind.Required), 1), (new ToolChoice(ToolChoiceKind.Named, "get_weather"), 1) })
            {
                string id = ToolChoice.NewId();
                var grammar = ToolCallGrammar.For(format, choice, Functions, id, maxCalls);
                if (grammar == null) { unconstrained++; continue; }
                string prefill = choice.Prefill(format, choice.Name == null ? null : Functions[0].Parameters, id);
                var r = model.Sample(grammar, seed++);
                if (r.Finish == FinishReason.Length) { unfinished++; continue; }
                var answer = ToolCallParser.Parse(format, prefill + r.Text, i => "id" + i, maxCalls);
                string where = $"{file} {choice.Kind}{(maxCalls == 1 ? " one" : "")}, seed {seed - 1}: {JsonSerializer.Serialize(prefill + r.Text)}";
                if (answer.Calls.Count == 0 || answer.Content.Length > 0) { failures.Add($"{where}: read {JsonSerializer.Serialize(answer)}"); continue; }
                foreach (var call in answer.Calls)
                {
                    checkedCalls++;
                    if (!Schemas.TryGetValue(call.Name, out var schema) || (choice.Name != null && call.Name != choice.Name))
                        failures.Add($"{where}: called '{call.Name}'");
                    else if (schema != null && !schema.Evaluate(JsonNode.Parse(call.Arguments)).IsValid)
                        failures.Add($"{where}: arguments {call.Arguments} do not validate");
                    else if (schema == null && JsonNode.Parse(call.Arguments) is not JsonObject)
                        failures.Add($"{where}: arguments {call.Arguments} are not an object");
                }
            }
        }
        output.WriteLine($"{formats} formats, {checkedCalls} calls checked, {unfinished} unfinished, {unconstrained} not constrained");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(formats >= 8, $"only {formats} formats found");
        Assert.True(checkedCalls >= 2 * formats, $"only {checkedCalls} calls checked over {formats} formats");
    }

    [Fact]
    public void ANamedFunctionWithoutParametersIsWholeInItsPrefillAndNothingMayFollow()
    {
        var grammar = ToolCallGrammar.For(ToolCallFormat.PlainJson, new ToolChoice(ToolChoiceKind.Named, "get_time"), Functions, "abcdefghi", 1)!;
        Assert.True(grammar.Matches(""));
        Assert.False(grammar.Matches(" "));
    }

    [Fact]
    public void ARequiredCallAllowsOnlyTheGivenNamesAndSchemas()
    {
        var grammar = ToolCallGrammar.For(ToolCallFormat.PlainJson, new ToolChoice(ToolChoiceKind.Required), Functions, "abcdefghi", 1)!;
        // the prefill ends inside {"name": "
        Assert.True(grammar.Matches("""get_weather", "arguments": {"city":"Oslo","days":3}}"""));
        Assert.True(grammar.Matches("""get_time", "arguments": {}}"""));
        Assert.False(grammar.Matches("""get_weather", "arguments": {"city":"Oslo","days":30}}"""));
        Assert.False(grammar.Matches("""get_weather", "arguments": {"city":"Oslo"}}"""));
        Assert.False(grammar.Matches("""delete_all", "arguments": {}}"""));
    }

    [Fact]
    public void StrictSchemasWithKeywordsTheGrammarCannotEnforceAreRefusedAndOthersTakeAnyObject()
    {
        var odd = JsonDocument.Parse("""{"type": "object", "properties": {"a": {"type": "string"}}, "minProperties": 1}""").RootElement.Clone();
        var named = new ToolChoice(ToolChoiceKind.Named, "f");
        var e = Assert.Throws<GrammarException>(() => ToolCallGrammar.For(ToolCallFormat.PlainJson, named, [new("f", odd, Strict: true)], "abcdefghi", 1));
        Assert.Contains("minProperties", e.Message, StringComparison.Ordinal);
        var loose = ToolCallGrammar.For(ToolCallFormat.PlainJson, named, [new("f", odd)], "abcdefghi", 1)!;
        Assert.True(loose.Matches("""{"a": 1}}"""));
        Assert.False(loose.Matches("""[1]}"""));
    }
}
