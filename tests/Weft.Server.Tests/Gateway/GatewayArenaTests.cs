// Remote models in the blind arena: the default pool draws them with the local ones, a battle's remote side streams
// from its replica under the hidden name (nothing of the stream names the model or the replica), the vote reveals it
// and stores the battle; a side the endpoint refuses or breaks off may be asked for again.
using System.Net;
using System.Text;
using System.Text.Json;

namespace Weft.Server.Tests.Gateway;

public sealed class GatewayArenaTests
{
    private static StringContent Body(object o) => new(JsonSerializer.Serialize(o), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonOf(HttpResponseMessage r, HttpStatusCode expected)
    {
        string body = await r.Content.ReadAsStringAsync();
        Assert.True(expected == r.StatusCode, $"expected {(int)expected}, got {(int)r.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task A_battle_between_a_local_and_a_remote_model_hides_the_remote_one_until_the_vote()
    {
        string env = "WEFT_TEST_KEY_" + Guid.NewGuid().ToString("N")[..6];
        Environment.SetEnvironmentVariable(env, "arena-secret");
        await using var a = await FakeUpstream.StartAsync("arena-remote", "remote-chat");
        a.Key = "arena-secret";
        a.Tokens = 4;
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, env, true)));

        var open = await JsonOf(await gw.Http.PostAsync("/api/arena/battles", Body(new { models = new[] { "chat", "remote-chat" }, prompt = "Name three colours.", max_tokens = 6, temperature = 0 })), HttpStatusCode.Created);
        string id = open.GetProperty("id").GetString()!;
        var texts = new Dictionary<string, string>();
        foreach (string side in new[] { "a", "b" })
        {
            var events = await Sse.ReadAsync(gw.Http, $"/api/arena/battles/{id}/answers/{side}", "{}");
            Assert.Equal("[DONE]", events[^1]);
            Assert.All(events[..^1], e => Assert.Equal("model-" + side, JsonDocument.Parse(e).RootElement.GetProperty("model").GetString()));
            Assert.DoesNotContain(events, e => e.Contains("remote-chat", StringComparison.Ordinal) || e.Contains("arena-remote", StringComparison.Ordinal));
            texts[side] = string.Concat(events[..^1].SelectMany(e => JsonDocument.Parse(e).RootElement.GetProperty("choices").EnumerateArray())
                .Select(c => c.GetProperty("delta")).Where(d => d.TryGetProperty("content", out _)).Select(d => d.GetProperty("content").GetString()));
        }
        Assert.Equal(1, a.Served);
        Assert.Equal("Bearer arena-secret", a.Authorizations.Last());
        using (var sent = JsonDocument.Parse(a.Bodies.Last()))
        {
            Assert.Equal("remote-chat", sent.RootElement.GetProperty("model").GetString());
            Assert.Equal(6, sent.RootElement.GetProperty("max_tokens").GetInt32());
            Assert.Equal("Name three colours.", sent.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
            Assert.False(sent.RootElement.TryGetProperty("models", out _));
        }

        var revealed = await JsonOf(await gw.Http.PostAsync($"/api/arena/battles/{id}/vote", Body(new { winner = "a" })), HttpStatusCode.OK);
        string remoteSide = revealed.GetProperty("model_a").GetString() == "remote-chat" ? "a" : "b";
        Assert.Equal("remote-chat", revealed.GetProperty("model_" + remoteSide).GetString());
        Assert.Equal("t0 t1 t2 t3", texts[remoteSide].Trim());
    }

    [Fact]
    public async Task The_default_pool_draws_remote_models_whose_replicas_are_up()
    {
        await using var a = await FakeUpstream.StartAsync("arena-pool", "remote-one", "remote-two");
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true)));
        var (_, list) = await RawHttp.GetAsync(gw.Http, "/v1/models");
        int all = list.GetProperty("data").EnumerateArray().Count(m => !m.GetProperty("meta").TryGetProperty("error", out _)); // as the page offers them
        var open = await JsonOf(await gw.Http.PostAsync("/api/arena/battles", Body(new { prompt = "hi", max_tokens = 2 })), HttpStatusCode.Created);
        Assert.Equal(all, open.GetProperty("pool").GetInt32()); // every listed model, the two remote ones included

        await a.KillAsync();
        await gw.Remote.ProbeAllAsync();
        var without = await JsonOf(await gw.Http.PostAsync("/api/arena/battles", Body(new { prompt = "hi", max_tokens = 2 })), HttpStatusCode.Created);
        Assert.Equal(all - 2, without.GetProperty("pool").GetInt32());
    }

    /// <summary>Opens a battle of two remote ids served by one endpoint, so either side is remote.</summary>
    private static async Task<string> OpenRemoteBattleAsync(GatewayHarness gw)
    {
        var open = await JsonOf(await gw.Http.PostAsync("/api/arena/battles", Body(new { models = new[] { "remote-one", "remote-two" }, prompt = "hi", max_tokens = 4 })), HttpStatusCode.Created);
        return open.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task A_remote_side_refused_by_its_endpoint_is_a_502_quoting_it_and_may_be_asked_again()
    {
        await using var up = await FakeUpstream.StartAsync("arena-keyed", "remote-one", "remote-two");
        up.Key = "wanted"; // the file names no key: the endpoint refuses
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (up, null, true)));
        string id = await OpenRemoteBattleAsync(gw), side = "a";
        using var res = await gw.Http.PostAsync($"/api/arena/battles/{id}/answers/{side}", Body(new { }));
        var error = await JsonOf(res, HttpStatusCode.BadGateway);
        Assert.Contains("401", error.GetProperty("error").GetProperty("message").GetString()!, StringComparison.Ordinal);
        var state = await JsonOf(await gw.Http.GetAsync($"/api/arena/battles/{id}"), HttpStatusCode.OK);
        Assert.Equal("waiting", state.GetProperty(side).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_remote_side_cut_by_a_dying_replica_ends_with_an_error_event_and_may_be_asked_again()
    {
        await using var up = await FakeUpstream.StartAsync("arena-doomed", "remote-one", "remote-two");
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (up, null, true)));
        string id = await OpenRemoteBattleAsync(gw), side = "b";
        up.Tokens = 200;
        up.TokenInterval = TimeSpan.FromMilliseconds(50);
        var read = Sse.ReadAsync(gw.Http, $"/api/arena/battles/{id}/answers/{side}", "{}");
        await Task.Delay(600);
        await up.KillAsync();
        var events = await read.WaitAsync(TimeSpan.FromSeconds(15));
        using var last = JsonDocument.Parse(events[^1]);
        Assert.Equal("upstream_broke_off", last.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("arena-doomed", events[^1], StringComparison.Ordinal); // the error names nothing either
        var state = await JsonOf(await gw.Http.GetAsync($"/api/arena/battles/{id}"), HttpStatusCode.OK);
        Assert.Equal("waiting", state.GetProperty(side).GetProperty("state").GetString());
    }
}
