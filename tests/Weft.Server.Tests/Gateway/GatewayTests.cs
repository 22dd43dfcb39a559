// The gateway over fake upstreams on loopback: remote models listed, requests forwarded with the endpoint's key and
// the body intact, streams passed through as they come, load shared, failing replicas taken out and probed back in,
// slow replicas, wrong keys, and the endpoints file read again when edited.
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Weft.Server.Remote;

namespace Weft.Server.Tests.Gateway;

public sealed class GatewayTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Remote_models_are_listed_with_their_endpoints_and_price()
    {
        await using var a = await FakeUpstream.StartAsync("lab-a", "mistral-7b");
        await using var b = await FakeUpstream.StartAsync("lab-b", "mistral-7b", "qwen-0.5b");
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(0.3, (a, null, true), (b, null, false)));
        await GatewayHarness.WaitForAsync(() => gw.Remote.Replicas("qwen-0.5b").Count == 1, Patience, "lab-b's models to be discovered");

        var (status, body) = await RawHttp.GetAsync(gw.Http, "/v1/models");
        Assert.Equal(HttpStatusCode.OK, status);
        var models = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Contains(models, m => m.GetProperty("id").GetString() == "chat"); // the local ones stay
        var mistral = models.Single(m => m.GetProperty("id").GetString() == "mistral-7b");
        Assert.True(mistral.GetProperty("meta").GetProperty("remote").GetBoolean());
        Assert.Equal(["lab-a", "lab-b"], mistral.GetProperty("meta").GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(0.3, mistral.GetProperty("meta").GetProperty("price").GetProperty("output").GetDouble());
        Assert.Contains(models, m => m.GetProperty("id").GetString() == "qwen-0.5b");

        var (one, single) = await RawHttp.GetAsync(gw.Http, "/v1/models/qwen-0.5b");
        Assert.Equal(HttpStatusCode.OK, one);
        Assert.True(single.GetProperty("meta").GetProperty("remote").GetBoolean());
    }

    [Fact]
    public async Task A_request_is_forwarded_intact_with_the_endpoints_key_and_the_callers_key_is_checked()
    {
        string env = "WEFT_TEST_KEY_" + Guid.NewGuid().ToString("N")[..6];
        Environment.SetEnvironmentVariable(env, "upstream-secret");
        await using var a = await FakeUpstream.StartAsync("keyed", "remote-chat");
        a.Key = "upstream-secret";
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(5, (a, env, true)), o => o with { ApiKey = "gateway-key" });

        string body = """{"model":"remote-chat","messages":[{"role":"user","content":"héllo"}],"temperature":0.25,"x_extra":[1,2]}""";
        var (status, answer, _) = await RawHttp.PostAsync(gw.Http, "/v1/chat/completions", body, "Bearer gateway-key");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("keyed", answer.GetProperty("replica").GetString());
        Assert.Equal(Encoding.UTF8.GetBytes(body), a.Bodies.Last()); // byte for byte
        Assert.Equal("Bearer upstream-secret", a.Authorizations.Last()); // the endpoint's key, not the caller's

        var (denied, error, _) = await RawHttp.PostAsync(gw.Http, "/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.Unauthorized, denied);
        RawHttp.AssertError(error, "API key");

        var (embed, vectors, _) = await RawHttp.PostAsync(gw.Http, "/v1/embeddings", """{"model":"remote-chat","input":"x"}""", "Bearer gateway-key");
        Assert.Equal(HttpStatusCode.OK, embed);
        Assert.Equal(0.5, vectors.GetProperty("data")[0].GetProperty("embedding")[0].GetDouble());
    }

    [Fact]
    public async Task A_stream_passes_through_event_by_event_not_buffered()
    {
        await using var a = await FakeUpstream.StartAsync("streamer", "remote-chat");
        a.Tokens = 5;
        a.TokenInterval = TimeSpan.FromMilliseconds(200);
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(5, (a, null, true)));

        using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"remote-chat","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        var clock = Stopwatch.StartNew();
        using var res = await gw.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", res.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await res.Content.ReadAsStreamAsync());
        var arrivals = new List<double>();
        while (await reader.ReadLineAsync() is { } line)
            if (line.StartsWith("data: {", StringComparison.Ordinal)) arrivals.Add(clock.Elapsed.TotalMilliseconds);
        Assert.Equal(5, arrivals.Count);
        // the first token is read while the upstream is still generating: 4 intervals (800 ms) remain after it
        Assert.True(arrivals[^1] - arrivals[0] > 500, $"events arrived at {string.Join(", ", arrivals.Select(t => t.ToString("0")))} ms");
    }

    [Fact]
    public async Task Two_replicas_share_the_load_by_outstanding_requests()
    {
        await using var a = await FakeUpstream.StartAsync("share-a", "shared");
        await using var b = await FakeUpstream.StartAsync("share-b", "shared");
        a.Delay = b.Delay = TimeSpan.FromMilliseconds(400);
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(5, (a, null, true), (b, null, true)));

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => GatewayHarness.ChatAsync(gw.Http, "shared")));
        Assert.All(answers, x => Assert.Equal(HttpStatusCode.OK, x.Status));
        // ten at once over two idle replicas: five each, as the fewest-outstanding rule gives (one either way when a
        // busy machine lets a request finish before the last ones arrive)
        Assert.InRange(a.Served, 4, 6);
        Assert.Equal(10, a.Served + b.Served);
        Assert.InRange(a.MaxConcurrent, 4, 6);
        Assert.InRange(b.MaxConcurrent, 4, 6);
    }

    [Fact]
    public async Task A_replica_that_reports_free_slots_is_preferred_to_one_whose_slots_are_busy()
    {
        await using var busy = await FakeUpstream.StartAsync("busy", "slotted");
        await using var idle = await FakeUpstream.StartAsync("idle", "slotted");
        busy.Slots = 2;
        busy.BusySlots = 2;
        idle.Slots = 4;
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (busy, null, true), (idle, null, true)));
        await gw.Remote.ProbeAllAsync();
        Assert.Equal(0, gw.Endpoint("busy").FreeSlots);
        Assert.Equal(4, gw.Endpoint("idle").FreeSlots);

        for (int i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await GatewayHarness.ChatAsync(gw.Http, "slotted")).Status);
        Assert.Equal(0, busy.Served);
        Assert.Equal(3, idle.Served);
    }

    [Fact]
    public async Task A_replica_answering_500s_is_taken_out_its_requests_retried_and_it_is_probed_back_in()
    {
        await using var a = await FakeUpstream.StartAsync("sick", "pair");
        await using var b = await FakeUpstream.StartAsync("well", "pair");
        // probes rarely at first, so it is the failed requests that take the replica out
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true), (b, null, true)));
        await GatewayHarness.WaitForAsync(() => !a.Authorizations.IsEmpty, Patience, "the first probe");
        a.FailWith = 500;

        for (int i = 0; i < 20; i++) // ties are broken at random: twenty requests pick it three times, all but surely
        {
            var (status, body, _) = await GatewayHarness.ChatAsync(gw.Http, "pair");
            Assert.Equal(HttpStatusCode.OK, status); // a 500 before the first byte goes to the other replica
            Assert.Equal("well", body.GetProperty("replica").GetString());
        }
        Assert.False(gw.Endpoint("sick").Up);
        Assert.Equal(RemoteEndpoint.FailuresToEject, gw.Endpoint("sick").Errors); // out after that many, none sent to it since
        Assert.Contains("500", gw.Endpoint("sick").Problem!, StringComparison.Ordinal);

        a.FailWith = 0;
        await File.WriteAllTextAsync(gw.File, GatewayHarness.Yaml(0.3, (a, null, true), (b, null, true))); // now probe often
        await GatewayHarness.WaitForAsync(() => gw.Endpoint("sick").Up, Patience, "the healed replica to be probed back in");
        b.ResetCounts();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => GatewayHarness.ChatAsync(gw.Http, "pair")));
        Assert.True(a.Served > 0, "the replica that came back takes requests again");

        string metrics = await gw.Http.GetStringAsync("/metrics");
        Assert.Contains("weft_remote_requests_total{endpoint=\"sick\"}", metrics, StringComparison.Ordinal);
        Assert.Contains($"weft_remote_errors_total{{endpoint=\"sick\"}} {RemoteEndpoint.FailuresToEject}", metrics, StringComparison.Ordinal);
        Assert.Contains("weft_remote_up{endpoint=\"well\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replica_refusing_connections_is_taken_out_at_once_and_requests_go_to_the_other()
    {
        await using var a = await FakeUpstream.StartAsync("gone", "pair");
        await using var b = await FakeUpstream.StartAsync("here", "pair");
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true), (b, null, true)));
        await a.KillAsync();

        for (int i = 0; i < 4; i++)
        {
            var (status, body, _) = await GatewayHarness.ChatAsync(gw.Http, "pair");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("here", body.GetProperty("replica").GetString());
        }
        Assert.False(gw.Endpoint("gone").Up);

        await b.KillAsync(); // none left: a clear 503 (none up) rather than a hang
        var (none, error, _) = await GatewayHarness.ChatAsync(gw.Http, "pair");
        Assert.True(none is HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway, none.ToString());
        RawHttp.AssertError(error, "replica of the model 'pair'");
    }

    [Fact]
    public async Task A_slow_replica_is_waited_for_and_one_past_the_activity_timeout_is_an_error()
    {
        await using var a = await FakeUpstream.StartAsync("slow", "slowpoke");
        a.Delay = TimeSpan.FromSeconds(1.5);
        await using (var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true))))
        {
            var clock = Stopwatch.StartNew();
            var (status, body, _) = await GatewayHarness.ChatAsync(gw.Http, "slowpoke");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.4));
            Assert.Equal("slow", body.GetProperty("replica").GetString());
        }
        await using (var gw = await GatewayHarness.StartAsync("activity_timeout: 0.5\n" + GatewayHarness.Yaml(30, (a, null, true))))
        {
            var (status, error, _) = await GatewayHarness.ChatAsync(gw.Http, "slowpoke");
            Assert.Equal(HttpStatusCode.BadGateway, status);
            RawHttp.AssertError(error, "no replica of the model 'slowpoke' answered");
        }
    }

    [Fact]
    public async Task A_wrong_key_upstream_passes_its_401_through_and_the_model_list_says_why()
    {
        string env = "WEFT_TEST_KEY_" + Guid.NewGuid().ToString("N")[..6];
        Environment.SetEnvironmentVariable(env, "not-the-key");
        await using var a = await FakeUpstream.StartAsync("strict", "guarded");
        a.Key = "the-key";
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(0.3, (a, env, true)));

        var (status, error, _) = await GatewayHarness.ChatAsync(gw.Http, "guarded");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        RawHttp.AssertError(error, "Incorrect API key provided to strict");
        Assert.True(gw.Endpoint("strict").Up, "a refused key is the caller's to fix, not a dead replica");

        await GatewayHarness.WaitForAsync(() => gw.Endpoint("strict").Problem != null, Patience, "the probe to notice the refused key");
        var (_, model) = await RawHttp.GetAsync(gw.Http, "/v1/models/guarded");
        Assert.Contains("$" + env, model.GetProperty("meta").GetProperty("endpoints")[0].GetProperty("problem").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_cut_by_a_dying_replica_ends_with_an_error_event()
    {
        await using var a = await FakeUpstream.StartAsync("doomed", "remote-chat");
        a.Tokens = 100;
        a.TokenInterval = TimeSpan.FromMilliseconds(50);
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true)));

        var read = Sse.ReadAsync(gw.Http, "/v1/chat/completions", """{"model":"remote-chat","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        await GatewayHarness.WaitForAsync(() => a.Served == 1, Patience, "the stream to start");
        await Task.Delay(300);
        await a.KillAsync();
        var events = await read.WaitAsync(Patience);
        Assert.True(events.Count >= 2, string.Join("\n", events));
        using var last = JsonDocument.Parse(events[^1]);
        Assert.Equal("upstream_broke_off", last.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("doomed", last.RootElement.GetProperty("error").GetProperty("message").GetString()!, StringComparison.Ordinal);
        Assert.False(gw.Endpoint("doomed").Up);
    }

    [Fact]
    public async Task The_endpoints_file_is_read_again_when_edited()
    {
        await using var a = await FakeUpstream.StartAsync("first", "grown");
        await using var b = await FakeUpstream.StartAsync("second", "grown");
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true)));
        Assert.Single(gw.Remote.Replicas("grown"));

        await File.WriteAllTextAsync(gw.File, GatewayHarness.Yaml(30, (a, null, true), (b, null, true)));
        await GatewayHarness.WaitForAsync(() => gw.Remote.Replicas("grown").Count == 2, Patience, "the added replica");

        await File.WriteAllTextAsync(gw.File, "endpoints:\n  - name: broken\n    url: not a url\n");
        await GatewayHarness.WaitForAsync(() => gw.Remote.FileProblem != null, Patience, "the bad edit to be noticed");
        Assert.Contains(":3:", gw.Remote.FileProblem!, StringComparison.Ordinal);
        Assert.Equal(2, gw.Remote.Replicas("grown").Count); // the last good set stays

        await File.WriteAllTextAsync(gw.File, GatewayHarness.Yaml(30, (b, null, true)));
        await GatewayHarness.WaitForAsync(() => gw.Remote.Replicas("grown") is [{ Name: "second" }], Patience, "the removed replica to go");
        a.ResetCounts();
        for (int i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await GatewayHarness.ChatAsync(gw.Http, "grown")).Status);
        Assert.Equal(0, a.Served);
    }

    [Fact]
    public async Task Unknown_models_stay_404_beside_remote_ones()
    {
        await using var a = await FakeUpstream.StartAsync("elsewhere", "remote-chat");
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true)));
        var (missing, error, _) = await GatewayHarness.ChatAsync(gw.Http, "nowhere");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        RawHttp.AssertError(error, "nowhere");
        Assert.Equal(0, a.Served);
    }
}

/// <summary>Real Weft servers as the replicas: a gateway with no models of its own serves theirs.</summary>
public sealed class WeftReplicaTests
{
    [Fact]
    public async Task A_gateway_without_local_models_serves_the_model_of_two_weft_replicas()
    {
        await using var one = await LiveServer.StartAsync();
        await using var two = await LiveServer.StartAsync();
        string empty = Path.Combine(Path.GetTempPath(), "weft-gw-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(empty);
        string file = Path.Combine(empty, "endpoints.yaml");
        // no models named: both are asked for theirs through /v1/models
        await File.WriteAllTextAsync(file, $"health_interval: 0.5\nendpoints:\n  - name: weft-1\n    url: {one.BaseAddress}v1\n  - name: weft-2\n    url: {two.BaseAddress}v1\n");
        var app = WeftServer.Create(new ServerOptions { Port = 0, ModelsDirectory = empty, DataDirectory = empty, Threads = 1 });
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(2) };
            var remote = (Weft.Server.Remote.RemoteEndpoints)app.Services.GetService(typeof(Weft.Server.Remote.RemoteEndpoints))!;
            await GatewayHarness.WaitForAsync(() => remote.Replicas("chat").Count == 2, TimeSpan.FromSeconds(15), "both replicas' models");

            var (_, list) = await RawHttp.GetAsync(http, "/v1/models");
            var chat = list.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "chat");
            Assert.Equal(2, chat.GetProperty("meta").GetProperty("endpoints").GetArrayLength());

            var events = await Sse.ReadAsync(http, "/v1/chat/completions",
                """{"model":"chat","stream":true,"max_tokens":4,"messages":[{"role":"user","content":"hi"}]}""");
            Assert.Equal("[DONE]", events[^1]);
            Assert.Contains(events, e => e.Contains("\"delta\"", StringComparison.Ordinal));
            var (status, whole, _) = await RawHttp.PostAsync(http, "/v1/completions", """{"model":"chat","prompt":"a","max_tokens":3}""");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(JsonValueKind.String, whole.GetProperty("choices")[0].GetProperty("text").ValueKind);
            Assert.Equal(2, remote.Replicas("chat").Sum(r => (int)r.Requests));

            // `weft eval openai:GATEWAY/v1#chat`: the echo log-probabilities come back through the gateway unchanged
            var requests = new List<Weft.Evaluation.Models.LoglikelihoodRequest> { new("The capital of France is", " Paris") };
            using var through = new Weft.Evaluation.Models.OpenAiEvalModel(new Uri(http.BaseAddress!, "v1"), "chat", null);
            using var direct = new Weft.Evaluation.Models.OpenAiEvalModel(new Uri(one.BaseAddress, "v1"), "chat", null);
            var viaGateway = through.Loglikelihood(requests)[0];
            var straight = direct.Loglikelihood(requests)[0];
            Assert.Equal(straight.Tokens, viaGateway.Tokens);
            Assert.Equal(straight.LogLikelihood, viaGateway.LogLikelihood, 1e-4);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(empty, true);
        }
    }
}
