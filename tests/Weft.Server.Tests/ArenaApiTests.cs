// The arena API: a battle between the server's two models streams both sides without their names, takes one vote
// once both answers are whole, stores it and reveals the names; the ratings and the JSONL export/import follow.
using System.Net;
using System.Text;
using System.Text.Json;

namespace Weft.Server.Tests;

public sealed class ArenaApiTests
{
    private static readonly string[] Models = ["chat", "slow"];

    private static async Task<JsonDocument> Json(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK)
    {
        string body = await r.Content.ReadAsStringAsync();
        Assert.True(expected == r.StatusCode, $"expected {(int)expected}, got {(int)r.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }

    private static StringContent Body(object o) => new(JsonSerializer.Serialize(o), Encoding.UTF8, "application/json");

    private static async Task<string> OpenBattle(LiveServer server, object? request = null)
    {
        using var doc = await Json(await server.Http.PostAsync("/api/arena/battles",
            Body(request ?? new { prompt = "Name three colours.", max_tokens = 6, temperature = 0 })), HttpStatusCode.Created);
        Assert.Equal(["a", "b"], doc.RootElement.GetProperty("sides").EnumerateArray().Select(s => s.GetString()!));
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>A side's answer, read from its stream: the text and every chunk's "model".</summary>
    private static async Task<(string Text, List<string> Models)> Answer(LiveServer server, string id, string side)
    {
        var events = await Sse.ReadAsync(server.Http, $"/api/arena/battles/{id}/answers/{side}", "{}");
        Assert.Equal("[DONE]", events[^1]);
        var text = new StringBuilder();
        var models = new List<string>();
        foreach (var e in events[..^1])
        {
            using var chunk = JsonDocument.Parse(e);
            models.Add(chunk.RootElement.GetProperty("model").GetString()!);
            foreach (var c in chunk.RootElement.GetProperty("choices").EnumerateArray())
                if (c.GetProperty("delta").TryGetProperty("content", out var t) && t.ValueKind == JsonValueKind.String) text.Append(t.GetString());
        }
        return (text.ToString(), models);
    }

    private static async Task<string> Direct(LiveServer server, string model)
    {
        using var doc = await Json(await server.Http.PostAsync("/v1/chat/completions", Body(new
        {
            model, max_tokens = 6, temperature = 0, messages = new[] { new { role = "user", content = "Name three colours." } },
        })));
        return doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    private static Task<HttpResponseMessage> Vote(LiveServer server, string id, string winner) =>
        server.Http.PostAsync($"/api/arena/battles/{id}/vote", Body(new { winner }));

    [Fact]
    public async Task ABattleHidesTheNamesUntilTheVoteThenStoresAndRatesIt()
    {
        await using var server = await LiveServer.StartAsync();
        string id = await OpenBattle(server);

        string shown = await (await server.Http.GetAsync($"/api/arena/battles/{id}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"model_a\"", shown, StringComparison.Ordinal);
        foreach (var m in Models) Assert.DoesNotContain($"\"{m}\"", shown, StringComparison.Ordinal);

        var a = await Answer(server, id, "a");
        Assert.All(a.Models, m => Assert.Equal("model-a", m));
        using (var early = await Json(await Vote(server, id, "a"), HttpStatusCode.Conflict))
            Assert.Equal("answers_unfinished", early.RootElement.GetProperty("error").GetProperty("code").GetString());
        var b = await Answer(server, id, "b");
        Assert.All(b.Models, m => Assert.Equal("model-b", m));
        using (var again = await Json(await server.Http.PostAsync($"/api/arena/battles/{id}/answers/a", Body(new { })), HttpStatusCode.Conflict))
            Assert.Equal("answer_started", again.RootElement.GetProperty("error").GetProperty("code").GetString());

        using var vote = await Json(await Vote(server, id, "a"));
        string modelA = vote.RootElement.GetProperty("model_a").GetString()!, modelB = vote.RootElement.GetProperty("model_b").GetString()!;
        Assert.Equal(Models.Order(), new[] { modelA, modelB }.Order());
        // each side really was the model the vote reveals: greedy answers equal the models' own
        Assert.Equal(await Direct(server, modelA), a.Text);
        Assert.Equal(await Direct(server, modelB), b.Text);

        using (var twice = await Json(await Vote(server, id, "b"), HttpStatusCode.Conflict))
            Assert.Equal("already_voted", twice.RootElement.GetProperty("error").GetProperty("code").GetString());
        using (var revealed = await Json(await server.Http.GetAsync($"/api/arena/battles/{id}")))
        {
            Assert.Equal(modelA, revealed.RootElement.GetProperty("model_a").GetString());
            Assert.Equal("a", revealed.RootElement.GetProperty("winner").GetString());
        }

        using var board = await Json(await server.Http.GetAsync("/api/arena/leaderboard"));
        var rows = board.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        var winner = rows.Single(r => r.GetProperty("model").GetString() == modelA);
        var loser = rows.Single(r => r.GetProperty("model").GetString() == modelB);
        Assert.Equal(1, winner.GetProperty("wins").GetInt32());
        Assert.Equal(1, loser.GetProperty("losses").GetInt32());
        Assert.All(rows, r => Assert.Equal(1, r.GetProperty("battles").GetInt32()));
        Assert.True(winner.GetProperty("rating").GetDouble() > loser.GetProperty("rating").GetDouble());
        Assert.All(rows, r => Assert.InRange(r.GetProperty("rating").GetDouble(), r.GetProperty("lower").GetDouble(), r.GetProperty("upper").GetDouble()));

        string votes = await server.Http.GetStringAsync("/api/arena/votes");
        var line = Assert.Single(votes.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var stored = JsonDocument.Parse(line);
        Assert.Equal(id, stored.RootElement.GetProperty("id").GetString());
        Assert.Equal("Name three colours.", stored.RootElement.GetProperty("prompt").GetString());
        Assert.Equal(modelA, stored.RootElement.GetProperty("model_a").GetString());
    }

    [Fact]
    public async Task ModelsTellHowManySlotsTheyDecodeTogether()
    {
        await using var server = await LiveServer.StartAsync(o => o with { Parallel = 3 });
        using var doc = await Json(await server.Http.GetAsync("/v1/models"));
        Assert.All(doc.RootElement.GetProperty("data").EnumerateArray(), m => Assert.Equal(3, m.GetProperty("meta").GetProperty("slots").GetInt32()));
        using var one = await Json(await server.Http.GetAsync("/v1/models/chat"));
        Assert.Equal(3, one.RootElement.GetProperty("meta").GetProperty("slots").GetInt32());
    }

    [Fact]
    public async Task EveryErrorPathAnswersWithItsStatus()
    {
        await using var server = await LiveServer.StartAsync();
        var http = server.Http;
        async Task Expect(HttpResponseMessage r, HttpStatusCode status, string? param = null)
        {
            using var doc = await Json(r, status);
            Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("error").GetProperty("message").GetString()));
            if (param != null) Assert.Equal(param, doc.RootElement.GetProperty("error").GetProperty("param").GetString());
        }

        await Expect(await Vote(server, "battle-none", "a"), HttpStatusCode.NotFound);
        await Expect(await http.GetAsync("/api/arena/battles/battle-none"), HttpStatusCode.NotFound);
        await Expect(await http.PostAsync("/api/arena/battles/battle-none/answers/a", Body(new { })), HttpStatusCode.NotFound);
        await Expect(await http.PostAsync("/api/arena/battles", Body(new { max_tokens = 4 })), HttpStatusCode.BadRequest, "messages");
        await Expect(await http.PostAsync("/api/arena/battles", Body(new { prompt = "" })), HttpStatusCode.BadRequest, "prompt");
        await Expect(await http.PostAsync("/api/arena/battles", Body(new { prompt = "hi", models = new[] { "chat" } })), HttpStatusCode.BadRequest, "models");
        await Expect(await http.PostAsync("/api/arena/battles", Body(new { prompt = "hi", models = new[] { "chat", "chat" } })), HttpStatusCode.BadRequest, "models");
        await Expect(await http.PostAsync("/api/arena/battles", Body(new { prompt = "hi", models = new[] { "chat", "nope" } })), HttpStatusCode.NotFound, "models");
        await Expect(await http.PostAsync("/api/arena/battles", Body(new { prompt = "hi", models = new[] { "chat", "broken" } })), HttpStatusCode.NotFound, "models");
        await Expect(await http.PostAsync("/api/arena/battles", Body(new { prompt = "hi", temperature = 5 })), HttpStatusCode.BadRequest, "temperature");
        await Expect(await http.PostAsync("/api/arena/battles", new StringContent("{\"prompt\": \"\\ud800\"", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await Expect(await http.PostAsync("/api/arena/battles", new StringContent("{\"prompt\": \"\\ud800\"}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);

        string id = await OpenBattle(server, new { prompt = "hi", models = Models, max_tokens = 2 });
        await Expect(await http.PostAsync($"/api/arena/battles/{id}/answers/c", Body(new { })), HttpStatusCode.BadRequest, "side");
        await Expect(await Vote(server, id, "nobody"), HttpStatusCode.BadRequest, "winner");
        await Expect(await http.PostAsync($"/api/arena/battles/{id}/vote", Body(new { })), HttpStatusCode.BadRequest, "winner");
        await Expect(await Vote(server, id, "tie"), HttpStatusCode.Conflict); // no answer yet

        // a prompt longer than the context fails on its side, and the side may be asked for again
        var huge = string.Concat(Enumerable.Repeat("colour ", 3000));
        string big = await OpenBattle(server, new { prompt = huge, models = Models, max_tokens = 2 });
        await Expect(await http.PostAsync($"/api/arena/battles/{big}/answers/a", Body(new { })), HttpStatusCode.BadRequest);
        using var state = await Json(await http.GetAsync($"/api/arena/battles/{big}"));
        Assert.Equal("waiting", state.RootElement.GetProperty("a").GetProperty("state").GetString());
    }

    [Fact]
    public async Task VotesImportedAsJsonlAreRatedAndExportedAgain()
    {
        await using var server = await LiveServer.StartAsync();
        var lines = new StringBuilder();
        for (int i = 0; i < 40; i++)
        {
            // x beats y three times in four; z loses to both nine times in ten
            string winner = i % 4 == 3 ? "b" : "a";
            lines.Append(JsonSerializer.Serialize(new { id = $"x-y-{i}", model_a = "x", model_b = "y", winner })).Append('\n');
            lines.Append(JsonSerializer.Serialize(new { id = $"y-z-{i}", model_a = "y", model_b = "z", winner = i % 10 == 0 ? "b" : "a" })).Append('\n');
            lines.Append(JsonSerializer.Serialize(new { id = $"z-x-{i}", model_a = "z", model_b = "x", winner = i % 10 == 0 ? "tie" : "b" })).Append('\n');
        }
        var jsonl = new StringContent(lines.ToString(), Encoding.UTF8, "application/x-ndjson");
        using (var first = await Json(await server.Http.PostAsync("/api/arena/votes", jsonl)))
        {
            Assert.Equal(120, first.RootElement.GetProperty("read").GetInt32());
            Assert.Equal(120, first.RootElement.GetProperty("imported").GetInt32());
        }
        using (var again = await Json(await server.Http.PostAsync("/api/arena/votes", new StringContent(lines.ToString(), Encoding.UTF8))))
            Assert.Equal(0, again.RootElement.GetProperty("imported").GetInt32());

        using var board = await Json(await server.Http.GetAsync("/api/arena/leaderboard"));
        Assert.Equal(["x", "y", "z"], board.RootElement.EnumerateArray().Select(r => r.GetProperty("model").GetString()!));
        var x = board.RootElement[0];
        Assert.Equal(80, x.GetProperty("battles").GetInt32());
        Assert.Equal(4, x.GetProperty("ties").GetInt32());
        Assert.Equal(1000, board.RootElement.EnumerateArray().Average(r => r.GetProperty("rating").GetDouble()), 1.0);

        string exported = await server.Http.GetStringAsync("/api/arena/votes");
        Assert.Equal(120, exported.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        using var bad = await Json(await server.Http.PostAsync("/api/arena/votes",
            new StringContent("{\"model_a\":\"x\",\"model_b\":\"y\",\"winner\":\"a\"}\n{\"model_a\":\"x\",\"winner\":\"a\"}\n", Encoding.UTF8)), HttpStatusCode.BadRequest);
        Assert.Contains(":2", bad.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        using var after = await Json(await server.Http.GetAsync("/api/arena/leaderboard"));
        Assert.Equal(80, after.RootElement[0].GetProperty("battles").GetInt32()); // a refused file adds nothing
    }
}
