// Built-in templates against llama.cpp's built-in formats of the same name (refharness chat-template) and against Jinja2.
using System.Text.Json.Nodes;
using Weft.Inference.Templates;
using Weft.TestKit;

namespace Weft.Inference.Tests.Templates;

public class BuiltinTemplateTests
{
    /// <summary>Our name → llama.cpp's built-in name; olmo has no llama.cpp counterpart (checked against Jinja2 only).</summary>
    public static readonly Dictionary<string, string?> LlamaCppNames = new(StringComparer.Ordinal)
    {
        ["llama2"] = "llama2", ["mistral"] = "mistral-v1", ["chatml"] = "chatml", ["zephyr"] = "zephyr", ["falcon"] = "falcon3",
        ["llama3"] = "llama3", ["gemma"] = "gemma", ["phi3"] = "phi3", ["olmo"] = null,
    };

    private static string Vocab => Path.Combine(Oracle.LlamaSource, "models", "ggml-vocab-llama-spm.gguf");

    [Fact]
    public void NamesAreTheDocumentedSet() =>
        Assert.Equal(LlamaCppNames.Keys.Order(StringComparer.Ordinal), BuiltinTemplates.Names.Order(StringComparer.Ordinal));

    public static TheoryData<string> Names() => [.. LlamaCppNames.Where(kv => kv.Value != null).Select(kv => kv.Key)];

    [Theory]
    [MemberData(nameof(Names))]
    public void MatchesLlamaCppBuiltin(string name)
    {
        var rng = new Random(Environment.TickCount ^ name.GetHashCode(StringComparison.Ordinal));
        string dir = Path.Combine(Path.GetTempPath(), $"weft-tmpl-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            for (int k = 0; k < 6; k++)
            {
                var messages = k == 0 ? Conversations.Alternating(rng, withSystem: true) : k < 4 ? Conversations.Alternating(rng) : Conversations.AnyRoles(rng);
                bool agp = k % 3 != 2;
                string file = Path.Combine(dir, $"m{k}.json");
                File.WriteAllText(file, messages.ToJsonString());
                var args = new List<string> { "chat-template", Vocab, "--messages", file, "--template", LlamaCppNames[name]! };
                if (!agp) args.Add("--no-add-generation-prompt");
                var (exit, stdout, stderr) = Oracle.Run([.. args]);
                Assert.True(exit == 0, stderr);
                var ours = Ours.Render(BuiltinTemplates.Source(name), Conversations.Context(messages, agp), name);
                Assert.True(ours.Ok, ours.Text);
                Assert.True(stdout == ours.Text, $"{name} on {messages.ToJsonString()} (generation prompt {agp}):\nllama.cpp: {JsonValue.Create(stdout)}\n     ours: {JsonValue.Create(ours.Text)}");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void EveryBuiltinMatchesJinja2()
    {
        var rng = new Random(Environment.TickCount);
        var jobs = new List<(string, JsonObject)>();
        foreach (var name in BuiltinTemplates.Names)
            for (int k = 0; k < 5; k++)
                jobs.Add((BuiltinTemplates.Source(name), Conversations.Context(k < 3 ? Conversations.Alternating(rng) : Conversations.AnyRoles(rng), k != 1)));
        AssertSameAsJinja2(jobs);
    }

    [Fact]
    public void ChooserPrefersTheModelTemplateThenTheNamedBuiltinThenChatml()
    {
        var ctx = new ChatTemplateContext { Messages = [ChatMessage.Text("user", "hi")] };
        Assert.Equal("M:hi", BuiltinTemplates.Choose("{% for m in messages %}M:{{ m.content }}{% endfor %}", "llama3").Render(ctx));
        Assert.StartsWith("<|start_header_id|>user", BuiltinTemplates.Choose(null, "llama3").Render(ctx), StringComparison.Ordinal);
        Assert.Equal("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", BuiltinTemplates.Choose("", null).Render(ctx));
        Assert.Throws<ArgumentException>(() => BuiltinTemplates.Choose(null, "no-such-template"));
    }

    internal static void AssertSameAsJinja2(List<(string Template, JsonObject Context)> jobs)
    {
        var oracle = Jinja2Oracle.RenderAll(jobs);
        var failures = new List<string>();
        for (int i = 0; i < jobs.Count; i++)
        {
            var ours = Ours.Render(jobs[i].Template, jobs[i].Context);
            if (Ours.Mismatch(oracle[i], ours) is { } m)
                failures.Add($"template {JsonValue.Create(jobs[i].Template)}\ncontext {jobs[i].Context.ToJsonString()}\n{m}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {jobs.Count} renders differ from Jinja2:\n" + string.Join("\n\n", failures.Take(8)));
    }
}
