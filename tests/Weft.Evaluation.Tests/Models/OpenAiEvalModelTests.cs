// The remote back end against a scripted HTTP handler: continuation log-probabilities from echoed prompt tokens,
// greedy from top_logprobs, retries on 5xx and garbage, no retry on 4xx, then a clear failure.
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Weft.Evaluation.Models;

namespace Weft.Evaluation.Tests.Models;

public sealed class OpenAiEvalModelTests
{
    private sealed class Scripted(Func<JsonObject, int, (HttpStatusCode, string)> answer) : HttpMessageHandler
    {
        public int Calls;
        public List<JsonObject> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel)
        {
            var body = (JsonObject)JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancel))!;
            Bodies.Add(body);
            var (status, text) = answer(body, Calls++);
            return new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, "application/json") };
        }
    }

    // "Paris is" + " nice": tokens "Paris", " is", " nice" at offsets 0, 5, 8.
    private const string Echo = """
        {"choices":[{"index":0,"text":"Paris is nice","logprobs":{"tokens":["Paris"," is"," nice"],
        "token_logprobs":[null,-0.5,-1.25],"text_offset":[0,5,8],
        "top_logprobs":[null,{" is":-0.5," was":-1.5},{" big":-0.9," nice":-1.25}]}}]}
        """;

    private static OpenAiEvalModel Model(Scripted handler) =>
        new(new Uri("http://remote.test/v1"), "m", "secret", retries: 2, backoff: TimeSpan.FromMilliseconds(1), handler: handler);

    [Fact]
    public void The_continuation_is_the_tokens_past_the_context()
    {
        var handler = new Scripted((_, _) => (HttpStatusCode.OK, Echo));
        using var m = Model(handler);
        var r = m.Loglikelihood([new LoglikelihoodRequest("Paris is", " nice")])[0];
        Assert.Equal(-1.25, r.LogLikelihood, 12);
        Assert.Equal(1, r.Tokens);
        Assert.False(r.IsGreedy); // " big" was likelier
        var both = m.Loglikelihood([new LoglikelihoodRequest("Paris", " is nice")])[0];
        Assert.Equal(-1.75, both.LogLikelihood, 12);
        var body = handler.Bodies[0];
        Assert.True(body["echo"]!.GetValue<bool>());
        Assert.Equal(0, body["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void Server_errors_and_garbage_are_retried()
    {
        var handler = new Scripted((_, call) => call switch
        {
            0 => (HttpStatusCode.InternalServerError, "oops"),
            1 => (HttpStatusCode.OK, "<html>not json</html>"),
            _ => (HttpStatusCode.OK, Echo),
        });
        using var m = Model(handler);
        Assert.Equal(-1.25, m.Loglikelihood([new LoglikelihoodRequest("Paris is", " nice")])[0].LogLikelihood, 12);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public void An_endpoint_that_keeps_failing_is_marked_failed()
    {
        var handler = new Scripted((_, _) => (HttpStatusCode.BadGateway, "down"));
        using var m = Model(handler);
        var e = Assert.Throws<EvalModelException>(() => m.Loglikelihood([new LoglikelihoodRequest("a", " b")]));
        Assert.Contains("3 tries", e.Message);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public void A_refused_request_is_not_retried()
    {
        var handler = new Scripted((_, _) => (HttpStatusCode.Unauthorized, """{"error":{"message":"bad key"}}"""));
        using var m = Model(handler);
        var e = Assert.Throws<EvalModelException>(() => m.Loglikelihood([new LoglikelihoodRequest("a", " b")]));
        Assert.Contains("401", e.Message);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public void Generation_is_cut_at_the_stop_strings()
    {
        var handler = new Scripted((b, _) => (HttpStatusCode.OK, """{"choices":[{"index":0,"text":" 42\n\nQuestion: next"}]}"""));
        using var m = Model(handler);
        Assert.Equal(" 42", m.GenerateUntil([new GenerateRequest("Q: 6*7?\nA:", ["\n\n"], 16)])[0]);
        Assert.Equal(0, handler.Bodies[0]["temperature"]!.GetValue<int>());
    }
}
