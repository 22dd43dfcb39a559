// logit_bias over HTTP: a banned greedy token gives way to the runner-up, a strongly biased token wins, bad fields are 400s.
using System.Net;
using System.Text;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;
using Weft.TestKit;

namespace Weft.Server.Tests;

public class LogitBiasApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private HttpClient Http => fixture.Server.Http;
    private static readonly int[] Prompt = TinyModels.RandomPrompt(32000, 8, 11);

    /// <summary>Token ids of the next position from a lone session, most likely first.</summary>
    private int[] Ranking(out Model model)
    {
        model = Model.Load(Path.Combine(fixture.Server.ModelsFolder, "chat.gguf"));
        using var pool = new WorkerPool(1);
        var session = new DecoderSession(model, pool, 64);
        var logits = new float[model.Config.VocabSize];
        session.Evaluate(Prompt, logits);
        return [.. Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i)];
    }

    private async Task<string> FirstTokenPiece(string bias)
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/completions",
            $"{{\"model\":\"chat\",\"prompt\":[{string.Join(',', Prompt)}],\"max_tokens\":1,\"temperature\":0,\"logprobs\":0,\"logit_bias\":{bias}}}");
        Assert.Equal(HttpStatusCode.OK, status);
        return json.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("tokens")[0].GetString()!;
    }

    private static string Piece(Model model, int id) => Encoding.UTF8.GetString(model.Tokenizer.Piece(id, renderSpecial: true));

    [Fact]
    public async Task BanningTheGreedyTokenPicksTheRunnerUp()
    {
        var order = Ranking(out var model);
        using var _ = model;
        // a gap keeps the comparison away from float32 near-ties between the batched and the lone pass
        Assert.Equal(Piece(model, order[0]), await FirstTokenPiece("{}"));
        Assert.Equal(Piece(model, order[1]), await FirstTokenPiece($"{{\"{order[0]}\": false}}"));
        Assert.Equal(Piece(model, order[1]), await FirstTokenPiece($"[[{order[0]}, false]]"));
        Assert.Equal(Piece(model, order[2]), await FirstTokenPiece($"{{\"{order[0]}\": -100, \"{order[1]}\": -100}}"));
    }

    [Fact]
    public async Task AStronglyBiasedTokenWins()
    {
        var order = Ranking(out var model);
        using var _ = model;
        int target = order.Skip(500).First(id => !model.Tokenizer.IsEog(id));
        Assert.Equal(Piece(model, target), await FirstTokenPiece($"{{\"{target}\": 100}}"));
    }

    [Theory]
    [InlineData("{\"abc\": 1}", "token ids")]
    [InlineData("{\"999999\": 1}", "outside the vocabulary")]
    [InlineData("{\"5\": 101}", "between -100 and 100")]
    [InlineData("{\"5\": \"x\"}", "a number from -100 to 100")]
    [InlineData("\"x\"", "an object")]
    [InlineData("[[5]]", "pair")]
    public async Task BadBiasesAreRefusedNamingTheField(string bias, string message)
    {
        var (status, json, _) = await RawHttp.PostAsync(Http, "/v1/chat/completions",
            $"{{\"model\":\"chat\",\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}],\"max_tokens\":1,\"logit_bias\":{bias}}}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = RawHttp.AssertError(json, message);
        Assert.StartsWith("logit_bias", error.GetProperty("param").GetString());
    }
}
