// Evaluations run by the server (/api/evals, the catalog page's Evaluate action): a job on one of its models scores
// HellaSwag from the shared validation set, reports progress, lands in weft.db and so on /api/leaderboard; bad
// requests and a task whose data is missing are clear errors.
using System.Net;
using System.Text;
using System.Text.Json;
using Weft.Evaluation.Storage;

namespace Weft.Server.Tests;

public sealed class EvalJobsTests
{
    private static readonly string EvalData = Path.Combine(Weft.TestKit.Oracle.SharedFolder, "eval-data");

    private static StringContent Body(object o) => new(JsonSerializer.Serialize(o), Encoding.UTF8, "application/json");

    private static async Task<JsonDocument> Json(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK)
    {
        string body = await r.Content.ReadAsStringAsync();
        Assert.True(expected == r.StatusCode, $"expected {(int)expected}, got {(int)r.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }

    private static async Task<JsonElement> WaitFinished(LiveServer server, string id)
    {
        for (int i = 0; i < 600; i++)
        {
            using var doc = await Json(await server.Http.GetAsync($"/api/evals/{id}"));
            string state = doc.RootElement.GetProperty("state").GetString()!;
            if (state is not ("queued" or "running")) return doc.RootElement.Clone();
            await Task.Delay(200);
        }
        throw new TimeoutException($"evaluation {id} did not finish");
    }

    [Fact]
    public async Task AnEvaluationOfAServedModelIsStoredAndShowsOnTheLeaderboard()
    {
        Assert.True(File.Exists(Path.Combine(EvalData, "hellaswag_val.txt.gz")), $"the shared HellaSwag set is missing from {EvalData}");
        await using var server = await LiveServer.StartAsync(o => o with { EvalDataFolders = [EvalData] });
        using (var tasks = await Json(await server.Http.GetAsync("/api/evals/tasks")))
            Assert.Contains(tasks.RootElement.EnumerateArray(), t => t.GetProperty("name").GetString() == "hellaswag" && t.GetProperty("kind").GetString() == "multiple_choice");

        using var started = await Json(await server.Http.PostAsync("/api/evals", Body(new { model = "chat", tasks = new[] { "hellaswag" }, limit = 4, speed = false })), HttpStatusCode.Accepted);
        string id = started.RootElement.GetProperty("id").GetString()!;
        var job = await WaitFinished(server, id);
        Assert.True(job.GetProperty("state").GetString() == "done", job.ToString());
        var result = Assert.Single(job.GetProperty("results").EnumerateArray());
        Assert.Equal("hellaswag", result.GetProperty("task").GetString());
        Assert.Equal(4, result.GetProperty("n").GetInt32());
        double acc = result.GetProperty("value").GetDouble();
        Assert.Contains(acc, new[] { 0, 0.25, 0.5, 0.75, 1 }); // four items: a share of them

        // the same numbers are in the database, and so on the leaderboard
        using (var store = ResultStore.Open(Path.Combine(server.Options.DataDirectory, ResultStore.FileName)))
            Assert.Contains(store.Runs(null), r => r.Model == "chat" && r.Task == "hellaswag" && r.Count == 4);
        using var board = await Json(await server.Http.GetAsync("/api/leaderboard"));
        Assert.Contains(board.RootElement.GetProperty("rows").EnumerateArray(), r => r.GetProperty("model").GetProperty("model").GetString() == "chat");

        using var list = await Json(await server.Http.GetAsync("/api/evals"));
        Assert.Contains(list.RootElement.EnumerateArray(), j => j.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task ARunningEvaluationCanBeCancelled()
    {
        await using var server = await LiveServer.StartAsync(o => o with { EvalDataFolders = [EvalData] });
        // the whole validation set on the slower model: minutes of work, so it is surely running when cancelled
        using var started = await Json(await server.Http.PostAsync("/api/evals", Body(new { model = "slow", tasks = new[] { "hellaswag" }, limit = 100_000, speed = false })), HttpStatusCode.Accepted);
        string id = started.RootElement.GetProperty("id").GetString()!;
        for (int i = 0; i < 300; i++)
        {
            using var doc = await Json(await server.Http.GetAsync($"/api/evals/{id}"));
            if (doc.RootElement.TryGetProperty("progress", out var p) && p.GetProperty("done").GetInt32() > 0) break;
            await Task.Delay(100);
        }
        using (var cancel = await Json(await server.Http.DeleteAsync($"/api/evals/{id}"))) Assert.Equal(id, cancel.RootElement.GetProperty("id").GetString());
        var job = await WaitFinished(server, id);
        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        Assert.DoesNotContain(job.GetProperty("results").EnumerateArray(), r => !r.TryGetProperty("error", out _)); // nothing finished
    }

    [Fact]
    public async Task BadRequestsAndMissingDataAreClearErrors()
    {
        string empty = Directory.CreateTempSubdirectory("weft-evaldata-").FullName;
        await using var server = await LiveServer.StartAsync(o => o with { EvalDataFolders = [empty] });
        var http = server.Http;
        async Task Expect(HttpResponseMessage r, HttpStatusCode status, string param)
        {
            using var doc = await Json(r, status);
            Assert.Equal(param, doc.RootElement.GetProperty("error").GetProperty("param").GetString());
        }
        await Expect(await http.PostAsync("/api/evals", Body(new { tasks = new[] { "hellaswag" } })), HttpStatusCode.BadRequest, "model");
        await Expect(await http.PostAsync("/api/evals", Body(new { model = "nope", tasks = new[] { "hellaswag" } })), HttpStatusCode.NotFound, "model");
        await Expect(await http.PostAsync("/api/evals", Body(new { model = "broken", tasks = new[] { "hellaswag" } })), HttpStatusCode.BadRequest, "model");
        await Expect(await http.PostAsync("/api/evals", Body(new { model = "chat", tasks = new[] { "no-such-task" } })), HttpStatusCode.BadRequest, "tasks");
        await Expect(await http.PostAsync("/api/evals", Body(new { model = "chat", tasks = Array.Empty<string>() })), HttpStatusCode.BadRequest, "tasks");
        await Expect(await http.PostAsync("/api/evals", Body(new { model = "chat", tasks = new[] { "hellaswag" }, limit = 0 })), HttpStatusCode.BadRequest, "limit");
        await Expect(await http.GetAsync("/api/evals/eval-999"), HttpStatusCode.NotFound, "id");

        // the data file is in none of the folders: the job fails and says where it looked, and the server stays up
        using var started = await Json(await http.PostAsync("/api/evals", Body(new { model = "chat", tasks = new[] { "hellaswag" }, limit = 2, speed = false })), HttpStatusCode.Accepted);
        var job = await WaitFinished(server, started.RootElement.GetProperty("id").GetString()!);
        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Contains("hellaswag", job.GetProperty("error").GetString());
        Assert.Contains(empty, job.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Directory.Delete(empty, true);
    }
}
