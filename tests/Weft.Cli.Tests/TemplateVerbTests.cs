// `weft template` renders as llama.cpp does for built-in names, byte-exact, and turns bad input into `weft: error:`.
using System.Text;
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Cli.Tests;

public class TemplateVerbTests
{
    private static readonly SyntheticModelSpec Spec = new SyntheticModelSpec { Name = "cli-template", Embedding = 64, Heads = 2, KvHeads = 1, Layers = 1, FeedForward = 96, Seed = 53 }.WithLlamaVocabulary();

    private static string MessagesFile(string json)
    {
        string path = Path.Combine(TinyModels.Folder, $"messages-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json, new UTF8Encoding(false));
        return path;
    }

    private const string Conversation =
        "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Héllo 日本語 🦙\\n\"},"
        + "{\"role\":\"assistant\",\"content\":\"  Hi!  \"},{\"role\":\"user\",\"content\":\"Why?\"}]";

    [Theory]
    [InlineData("llama3", "llama3", false)]
    [InlineData("mistral", "mistral-v1", false)]
    [InlineData("gemma", "gemma", true)]
    [InlineData("chatml", "chatml", true)]
    public void BuiltinNameMatchesTheOracle(string ours, string theirs, bool noGenerationPrompt)
    {
        string model = TinyModels.Write(Spec);
        string messages = MessagesFile(Conversation);
        var args = new List<string> { "template", model, "--messages", messages, "--template", ours };
        var oracleArgs = new List<string> { "chat-template", model, "--messages", messages, "--template", theirs };
        if (noGenerationPrompt) { args.Add("--no-generation-prompt"); oracleArgs.Add("--no-add-generation-prompt"); }
        var r = WeftProcess.Run([.. args]);
        Assert.True(r.Exit == 0, r.Stderr);
        var (exit, stdout, stderr) = Oracle.Run([.. oracleArgs]);
        Assert.True(exit == 0, stderr);
        Assert.Equal(stdout, r.Stdout);
        File.Delete(messages);
    }

    [Fact]
    public void TemplateFileGetsTheModelsBosAndEosTexts()
    {
        string template = Path.Combine(TinyModels.Folder, $"t-{Guid.NewGuid():N}.jinja");
        File.WriteAllText(template, "{{ bos_token }}{% for m in messages %}{{ m.role }}:{% for p in m.content %}{{ p.text }}{% endfor %}{{ eos_token }}{% endfor %}");
        string messages = MessagesFile("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]}]");
        var r = WeftProcess.Run("template", TinyModels.Write(Spec), "--messages", messages, "--template", template);
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Equal("<s>user:ab</s>", r.Stdout);
    }

    [Fact]
    public void MissingMessagesFileIsAUserError() =>
        WeftProcess.AssertUserError(WeftProcess.Run("template", TinyModels.Write(Spec), "--messages", "/nonexistent/m.json"), "no such file");

    [Fact]
    public void MalformedJsonIsAUserError() =>
        WeftProcess.AssertUserError(WeftProcess.Run("template", TinyModels.Write(Spec), "--messages", MessagesFile("[{\"role\": \"user\", ")), "not valid JSON");

    [Fact]
    public void MessageWithoutRoleIsAUserError() =>
        WeftProcess.AssertUserError(WeftProcess.Run("template", TinyModels.Write(Spec), "--messages", MessagesFile("[{\"content\": \"x\"}]")), "\"role\" must be a string");

    [Fact]
    public void UnknownTemplateNameIsAUserError() =>
        WeftProcess.AssertUserError(WeftProcess.Run("template", TinyModels.Write(Spec), "--messages", MessagesFile(Conversation), "--template", "no-such-name"), "neither a built-in template");

    [Fact]
    public void TemplateErrorIsAUserErrorWithItsLine()
    {
        string template = Path.Combine(TinyModels.Folder, $"t-{Guid.NewGuid():N}.jinja");
        File.WriteAllText(template, "ok\n{{ raise_exception('roles must alternate') }}");
        WeftProcess.AssertUserError(WeftProcess.Run("template", TinyModels.Write(Spec), "--messages", MessagesFile(Conversation), "--template", template), "line 2: roles must alternate");
    }
}
