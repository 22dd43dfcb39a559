// Streams whose replica dies before its first token: the opening chunk was held back, so the request goes to another
// replica and the caller sees one whole answer; which events count as opening ones.
using System.Net;
using System.Text;
using System.Text.Json;
using Weft.Server.Remote;

namespace Weft.Server.Tests.Gateway;

public sealed class GatewayOpeningTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_stream_whose_replica_dies_after_its_opening_chunk_is_answered_by_another_replica()
    {
        await using var a = await FakeUpstream.StartAsync("queued-a", "remote-chat");
        await using var b = await FakeUpstream.StartAsync("queued-b", "remote-chat");
        foreach (var up in new[] { a, b })
        {
            up.OpeningChunk = true;
            up.Delay = TimeSpan.FromSeconds(2); // queued for a slot: the role chunk is out, no token yet
            up.Tokens = 3;
        }
        await using var gw = await GatewayHarness.StartAsync(GatewayHarness.Yaml(30, (a, null, true), (b, null, true)));

        using var req = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"remote-chat","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        var sent = gw.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        await GatewayHarness.WaitForAsync(() => a.Served + b.Served == 1, Patience, "the request to reach a replica");
        await Task.Delay(300); // the opening chunk has reached the gateway
        var (doomed, survivor) = a.Served == 1 ? (a, b) : (b, a);
        await doomed.KillAsync();

        using var res = await sent.WaitAsync(Patience);
        Assert.True(res.StatusCode == HttpStatusCode.OK, await res.Content.ReadAsStringAsync());
        Assert.Equal(survivor.Name, res.Headers.GetValues("X-Weft-Replica").Single());
        var events = new List<string>();
        using (var reader = new StreamReader(await res.Content.ReadAsStreamAsync()))
            while (await reader.ReadLineAsync().WaitAsync(Patience) is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add(line["data: ".Length..]);
        Assert.Equal("[DONE]", events[^1]);
        Assert.Single(events, e => e.Contains("\"role\"", StringComparison.Ordinal)); // one opening chunk, the survivor's
        Assert.DoesNotContain(events, e => e.Contains("\"error\"", StringComparison.Ordinal));
        Assert.Equal(3, events.Count(e => e.Contains(survivor.Name, StringComparison.Ordinal)));
        Assert.False(gw.Endpoint(doomed.Name).Up);
    }

    [Theory]
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}", true)]
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}", true)]
    [InlineData(": keep-alive comment", true)]
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"In\"}}]}", false)]
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}", false)]
    [InlineData("data: {\"choices\":[{\"index\":0,\"text\":\"a\"}]}", false)]
    [InlineData("data: [DONE]", false)]
    [InlineData("data: {\"error\":{\"message\":\"x\"}}", false)]
    [InlineData("event: response.created\ndata: {\"type\":\"response.created\"}", true)]
    [InlineData("event: response.in_progress\ndata: {\"type\":\"response.in_progress\"}", true)]
    [InlineData("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"In\"}", false)]
    public void Opening_events_carry_no_answer(string sseEvent, bool opening) =>
        Assert.Equal(opening, OpeningEvent.Is(Encoding.UTF8.GetBytes(sseEvent)));
}
