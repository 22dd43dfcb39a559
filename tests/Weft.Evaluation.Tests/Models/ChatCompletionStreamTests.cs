// The streamed chat completion reader: pieces in order, finish reason, reported usage (else one token a piece), and
// error or malformed events as their own exceptions.
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Weft.Evaluation.Models;
using Weft.Inference.Generation;

namespace Weft.Evaluation.Tests.Models;

public class ChatCompletionStreamTests
{
    private static Stream Events(params string[] data) =>
        new MemoryStream(Encoding.UTF8.GetBytes(string.Concat(data.Select(d => $"data: {d}\n\n"))));

    private static async Task<(ChatStreamEnd End, List<string> Pieces)> Read(Stream s)
    {
        var pieces = new List<string>();
        var end = await ChatCompletionStream.ReadAsync(s, p => { pieces.Add(p); return ValueTask.CompletedTask; }, Stopwatch.StartNew(), CancellationToken.None);
        return (end, pieces);
    }

    [Fact]
    public async Task PiecesFinishAndUsageAreRead()
    {
        var (end, pieces) = await Read(Events(
            """{"choices":[{"delta":{"role":"assistant","content":""}}]}""",
            """{"choices":[{"delta":{"content":"Hel"}}]}""",
            """{"choices":[{"delta":{"content":"lo"},"finish_reason":"stop"}]}""",
            """{"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}""",
            "[DONE]",
            """{"choices":[{"delta":{"content":"after the end"}}]}"""));
        Assert.Equal(["Hel", "lo"], pieces);
        Assert.Equal("Hello", end.Text);
        Assert.Equal(FinishReason.EndOfGeneration, end.Finish);
        Assert.Equal((7, 3), (end.PromptTokens, end.Tokens));
        Assert.NotNull(end.FirstPiece);
    }

    [Fact]
    public async Task WithoutUsageEachPieceCountsAsAToken()
    {
        var (end, _) = await Read(Events("""{"choices":[{"delta":{"content":"a"}}]}""", """{"choices":[{"delta":{"content":"b"},"finish_reason":"length"}]}"""));
        Assert.Equal((0, 2, FinishReason.Length), (end.PromptTokens, end.Tokens, end.Finish));
    }

    [Fact]
    public async Task AnErrorEventAndANonJsonEventAreTheirOwnExceptions()
    {
        var error = await Assert.ThrowsAsync<ChatStreamErrorException>(() => Read(Events("""{"error":{"message":"out of memory"}}""")));
        Assert.Equal("out of memory", error.Message);
        var bad = await Assert.ThrowsAsync<JsonException>(() => Read(Events("{not json")));
        Assert.Contains("{not json", bad.Message, StringComparison.Ordinal);
    }
}
