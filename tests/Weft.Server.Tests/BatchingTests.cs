// Continuous batching: requests generating together each get exactly the answer they get alone.
using System.Net;
using System.Text.Json;
using Weft.TestKit;

namespace Weft.Server.Tests;

public class BatchingTests
{
    private static string Body(int[] prompt, int maxTokens, bool stream = false) =>
        JsonSerializer.Serialize(new { model = "chat", prompt, max_tokens = maxTokens, temperature = 0, stream });

    [Fact]
    public async Task ConcurrentGreedyRequestsGetTheirAnswersAlone()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Parallel = 4, QueueLimit = 16 });
        // Prompts (3 to 57 tokens) and answers of different lengths; more requests than slots, so some join while
        // others decode.
        var requests = Enumerable.Range(0, 7)
            .Select(i => (Prompt: TinyModels.RandomPrompt(32000, 3 + 9 * i, 100 + i), Max: 12 + 5 * i)).ToArray();
        async Task<(string Text, string Finish, int Tokens)> Ask(int[] prompt, int max)
        {
            var (status, json, _) = await RawHttp.PostAsync(server.Http, "/v1/completions", Body(prompt, max));
            Assert.Equal(HttpStatusCode.OK, status);
            var choice = json.GetProperty("choices")[0];
            return (choice.GetProperty("text").GetString()!, choice.GetProperty("finish_reason").GetString()!,
                json.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        }
        var alone = new List<(string, string, int)>();
        foreach (var (prompt, max) in requests) alone.Add(await Ask(prompt, max));
        var together = await Task.WhenAll(requests.Select(r => Ask(r.Prompt, r.Max)));
        for (int i = 0; i < requests.Length; i++) Assert.Equal(alone[i], together[i]);
        // and once more the other way round, so slots are reused with other prompts cached in them
        var reversed = await Task.WhenAll(requests.Reverse().Select(r => Ask(r.Prompt, r.Max)));
        Assert.Equal(alone.AsEnumerable().Reverse(), reversed);
    }

    [Fact]
    public async Task ConcurrentStreamsEqualTheirWholeAnswers()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Parallel = 3 });
        var prompts = Enumerable.Range(0, 5).Select(i => TinyModels.RandomPrompt(32000, 4 + 7 * i, 200 + i)).ToArray();
        var whole = new List<string>();
        foreach (var p in prompts)
            whole.Add((await RawHttp.PostAsync(server.Http, "/v1/completions", Body(p, 20))).Body.GetProperty("choices")[0].GetProperty("text").GetString()!);
        var streamed = await Task.WhenAll(prompts.Select(async p =>
        {
            var events = await Sse.ReadAsync(server.Http, "/v1/completions", Body(p, 20, stream: true));
            return string.Concat(events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0].GetProperty("text").GetString()));
        }));
        Assert.Equal(whole, streamed);
    }
}
