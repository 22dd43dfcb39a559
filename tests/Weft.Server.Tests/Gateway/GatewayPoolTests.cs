// A local model and remote replicas of the same id form one pool: requests go to this server's own copy or to a
// replica by the same rule (free slots first, then fewest under way), the answer naming which in X-Weft-Replica.
using System.Net;

namespace Weft.Server.Tests.Gateway;

public sealed class GatewayPoolTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static async Task<string> ServedByAsync(HttpClient http)
    {
        var (status, body, response) = await RawHttp.PostAsync(http, "/v1/chat/completions", """{"model":"chat","max_tokens":2,"messages":[{"role":"user","content":"hi"}]}""");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return response.Headers.GetValues("X-Weft-Replica").Single();
    }

    [Fact]
    public async Task Requests_for_a_pooled_id_are_shared_between_the_local_model_and_its_remote_replica()
    {
        await using var a = await FakeUpstream.StartAsync("pooled-remote", "chat"); // "chat" is also the local model's id
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true)));
        var served = new List<string>();
        for (int i = 0; i < 20; i++) served.Add(await ServedByAsync(gw.Http)); // one at a time: equals, ties broken at random
        Assert.Contains("local", served);
        Assert.Contains("pooled-remote", served);
        Assert.Equal(served.Count(s => s == "pooled-remote"), a.Served);

        var (_, list) = await RawHttp.GetAsync(gw.Http, "/v1/models");
        var chat = Assert.Single(list.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "chat"); // listed once
        var pooled = Assert.Single(chat.GetProperty("meta").GetProperty("pooled_with").EnumerateArray());
        Assert.Equal("pooled-remote", pooled.GetProperty("name").GetString());
        Assert.True(pooled.GetProperty("up").GetBoolean());
    }

    [Fact]
    public async Task A_replica_whose_slots_are_busy_leaves_the_requests_to_the_local_model_with_free_slots()
    {
        await using var a = await FakeUpstream.StartAsync("busy-remote", "chat");
        a.Slots = 2;
        a.BusySlots = 2; // llama-server's /slots: no idle slot
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true)), o => o with { Parallel = 2 });
        await GatewayHarness.WaitForAsync(() => gw.Endpoint("busy-remote").FreeSlots == 0, Patience, "the probe to read the busy slots");
        for (int i = 0; i < 6; i++) Assert.Equal("local", await ServedByAsync(gw.Http));
        Assert.Equal(0, a.Served);
    }

    [Fact]
    public async Task A_local_model_whose_slots_are_taken_sends_the_next_request_to_the_replica()
    {
        await using var a = await FakeUpstream.StartAsync("idle-remote", "chat");
        a.Slots = 1;
        a.BusySlots = 0;
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true)), o => o with { Parallel = 1 });
        await GatewayHarness.WaitForAsync(() => gw.Endpoint("idle-remote").FreeSlots == 1, Patience, "the probe to read the free slot");
        var local = gw.LocalMember("chat");
        local.Begin(); // the local slot is taken (as by a long generation under way)
        try
        {
            Assert.Equal(0, local.FreeSlots);
            Assert.Equal("idle-remote", await ServedByAsync(gw.Http));
        }
        finally
        {
            local.End();
        }
    }

    [Fact]
    public async Task The_local_model_serves_a_pooled_id_while_every_replica_is_out()
    {
        await using var a = await FakeUpstream.StartAsync("gone-remote", "chat");
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true)));
        await a.KillAsync();
        await gw.Remote.ProbeAllAsync();
        Assert.False(gw.Endpoint("gone-remote").Up);
        for (int i = 0; i < 4; i++) Assert.Equal("local", await ServedByAsync(gw.Http));
    }
}
