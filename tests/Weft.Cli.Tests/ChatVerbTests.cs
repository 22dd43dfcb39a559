// `weft chat`: each answer is llama.cpp's greedy answer to the same conversation rendered with the same template,
// turn after turn (the second turn reuses the cached first one).
using Weft.Models.Synthetic;
using Weft.TestKit;

namespace Weft.Cli.Tests;

public class ChatVerbTests
{
    private static string Model => TinyModels.Write(new SyntheticModelSpec
    {
        Name = "chat-verb", Embedding = 128, Heads = 4, KvHeads = 2, Layers = 2, FeedForward = 256, Seed = 81, Context = 512,
    }.WithLlamaVocabulary());

    [Theory]
    [InlineData("chatml")]
    [InlineData("llama3")]
    public void TwoTurnsMatchTheOracle(string template)
    {
        const int n = 12;
        string first = "Hello, who are you?", second = "Tell me more.";
        var r = WeftProcess.RunWithInput($"{first}\n{second}\n", "chat", Model, "--template", template, "--temp", "0", "-n", n.ToString(System.Globalization.CultureInfo.InvariantCulture), "--system", "Be brief.");
        Assert.True(r.Exit == 0, r.Stderr);

        // each answer is printed followed by a newline
        var one = OracleChat.GreedyReply(Model, template, [("system", "Be brief."), ("user", first)], n);
        Assert.StartsWith(one.Exact ? one.Text + "\n" : one.Text, r.Stdout, StringComparison.Ordinal);
        if (!one.Exact) return; // a near tie: the rest of the conversation can't be lined up with the oracle's
        string rest = r.Stdout[(one.Text.Length + 1)..];
        var two = OracleChat.GreedyReply(Model, template, [("system", "Be brief."), ("user", first), ("assistant", one.Text), ("user", second)], n);
        Assert.StartsWith(two.Exact ? two.Text + "\n" : two.Text, rest, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownTemplateIsAUserError() =>
        WeftProcess.AssertUserError(WeftProcess.RunWithInput("hi\n", "chat", Model, "--template", "no-such-template"), "no-such-template");

    [Fact]
    public void OverlongTurnIsRefusedAndTheChatGoesOn()
    {
        string longLine = string.Join(' ', Enumerable.Repeat("word", 400));
        var r = WeftProcess.RunWithInput($"{longLine}\nhi\n", "chat", Model, "--ctx", "64", "--temp", "0", "-n", "4");
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Contains("no longer fits the context of 64", r.Stderr, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(r.Stdout));
    }
}
