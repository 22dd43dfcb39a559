// POST /v1/responses for a remote model goes through the gateway like chat completions: forwarded intact with the
// endpoint's key, streamed event by event, and retried on another replica when the first dies before its first text.
using System.Net;
using System.Text;

namespace Weft.Server.Tests.Gateway;

public sealed class GatewayResponsesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_responses_request_for_a_remote_model_is_forwarded_with_the_endpoints_key()
    {
        string env = "WEFT_TEST_KEY_" + Guid.NewGuid().ToString("N")[..6];
        Environment.SetEnvironmentVariable(env, "responses-secret");
        await using var a = await FakeUpstream.StartAsync("responder", "remote-resp");
        a.Key = "responses-secret";
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, env, true)));

        string body = """{"model":"remote-resp","input":"héllo","max_output_tokens":9}""";
        var (status, answer, _) = await RawHttp.PostAsync(gw.Http, "/v1/responses", body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("responder", answer.GetProperty("replica").GetString());
        Assert.Equal(Encoding.UTF8.GetBytes(body), a.Bodies.Last());
        Assert.Equal("Bearer responses-secret", a.Authorizations.Last());
        Assert.Equal(1, gw.Endpoint("responder").Requests);
    }

    [Fact]
    public async Task A_streamed_response_whose_replica_dies_before_its_first_text_is_answered_by_another()
    {
        await using var a = await FakeUpstream.StartAsync("resp-a", "remote-resp");
        await using var b = await FakeUpstream.StartAsync("resp-b", "remote-resp");
        foreach (var up in new[] { a, b })
        {
            up.Delay = TimeSpan.FromSeconds(2); // response.created is out, no text yet
            up.Tokens = 3;
        }
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true), (b, null, true)));

        var read = ReadEventsAsync(gw.Http, """{"model":"remote-resp","input":"hi","stream":true}""");
        await GatewayHarness.WaitForAsync(() => a.Served + b.Served == 1, Patience, "the request to reach a replica");
        await Task.Delay(300);
        var (doomed, survivor) = a.Served == 1 ? (a, b) : (b, a);
        await doomed.KillAsync();

        var (types, text) = await read.WaitAsync(Patience);
        Assert.Equal("response.created", types[0]);
        Assert.Single(types, t => t == "response.created");
        Assert.Equal(3, types.Count(t => t == "response.output_text.delta"));
        Assert.Equal("response.completed", types[^1]);
        Assert.DoesNotContain(doomed.Name, text, StringComparison.Ordinal);
        Assert.Contains(survivor.Name, text, StringComparison.Ordinal);
    }

    private static async Task<(List<string> Types, string Text)> ReadEventsAsync(HttpClient http, string body)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var res = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", res.Content.Headers.ContentType?.MediaType);
        string text = await res.Content.ReadAsStringAsync();
        var types = text.Split('\n').Where(l => l.StartsWith("event: ", StringComparison.Ordinal)).Select(l => l["event: ".Length..]).ToList();
        return (types, text);
    }
}
