// Evaluations run by the server on its own models (the catalog page's Evaluate action): GET /api/evals/tasks lists the
// built-in tasks; POST /api/evals {"model", "tasks": [names], "limit", "speed"} queues one; GET /api/evals[/{id}]
// reports progress and results; DELETE /api/evals/{id} cancels. Results land in weft.db, so /leaderboard shows them.
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Evaluation.Tasks;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

internal static class EvalEndpoints
{
    private const int MaxLimit = 100_000;
    private const int DefaultLimit = 100;

    public static RouteGroupBuilder MapEvals(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/evals");
        g.MapGet("/tasks", async (HttpContext http) =>
        {
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartArray();
                foreach (var name in BuiltinTasks.Names)
                {
                    var t = BuiltinTasks.Resolve(name);
                    w.WriteStartObject();
                    w.WriteString("name", t.Name);
                    w.WriteString("kind", System.Text.RegularExpressions.Regex.Replace(t.Kind.ToString(), "(?<=[a-z])(?=[A-Z])", "_").ToLowerInvariant());
                    w.WriteString("primary", t.PrimaryMetric);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        });
        g.MapPost("/", async (HttpContext http, ModelPool pool, EvalJobs jobs) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string id = body.RequiredString("model");
            var entry = pool.Catalog.Find(id) ?? throw ApiException.NotFound($"the model '{id}' does not exist on this server (see /v1/models)", "model");
            if (entry.Problem != null) throw ApiException.BadRequest($"the model '{id}' cannot be evaluated: {entry.Problem}", "model");
            var names = body.StringOrStrings("tasks", 32);
            if (names.Count == 0) throw ApiException.BadRequest("'tasks' names at least one task (see /api/evals/tasks)", "tasks");
            var tasks = new List<TaskDefinition>();
            foreach (var name in names.Distinct(StringComparer.Ordinal))
            {
                if (!BuiltinTasks.Names.Contains(name))
                    throw ApiException.BadRequest($"'{name}' is not a built-in task; expected one of {string.Join(", ", BuiltinTasks.Names)}", "tasks");
                tasks.Add(BuiltinTasks.Resolve(name));
            }
            int limit = (int)(body.OptionalInteger("limit", 1, MaxLimit) ?? DefaultLimit);
            bool speed = body.OptionalBool("speed", true);
            var job = jobs.Start(entry.Id, entry.Path, tasks, limit, speed);
            await Json.WriteAsync(http.Response, w => Job(w, job), StatusCodes.Status202Accepted);
        });
        g.MapGet("/", async (HttpContext http, EvalJobs jobs) =>
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartArray();
                foreach (var j in jobs.All) Job(w, j);
                w.WriteEndArray();
            }));
        g.MapGet("/{id}", async (HttpContext http, EvalJobs jobs, string id) =>
        {
            var job = jobs.Find(id) ?? throw Unknown(id);
            await Json.WriteAsync(http.Response, w => Job(w, job));
        });
        g.MapDelete("/{id}", async (HttpContext http, EvalJobs jobs, string id) =>
        {
            var job = jobs.Find(id) ?? throw Unknown(id);
            job.Cancel();
            await Json.WriteAsync(http.Response, w => Job(w, job));
        });
        return api;
    }

    private static ApiException Unknown(string id) => new(404, $"there is no evaluation '{id}'", param: "id", code: "not_found");

    private static void Job(Utf8JsonWriter w, EvalJob j)
    {
        w.WriteStartObject();
        w.WriteString("id", j.Id);
        w.WriteString("model", j.Model);
        w.WriteString("state", j.State.ToString().ToLowerInvariant());
        w.WriteStartArray("tasks");
        foreach (var t in j.Tasks) w.WriteStringValue(t.Name);
        w.WriteEndArray();
        w.WriteNumber("limit", j.Limit);
        if (j.ResultName != null) w.WriteString("leaderboard_name", j.ResultName);
        if (j.Step != null)
        {
            w.WriteStartObject("progress");
            w.WriteString("step", j.Step);
            w.WriteNumber("done", j.StepDone);
            w.WriteNumber("total", j.StepTotal);
            w.WriteEndObject();
        }
        w.WriteStartArray("results");
        foreach (var r in j.Runs)
        {
            w.WriteStartObject();
            w.WriteString("task", r.Task);
            w.WriteString("metric", r.Primary);
            if (r.Metrics.TryGetValue(r.Primary, out double v) && double.IsFinite(v)) w.WriteNumber("value", v); else w.WriteNull("value");
            if (r.Metrics.TryGetValue(r.Primary + "_stderr", out double se) && double.IsFinite(se)) w.WriteNumber("stderr", se);
            w.WriteNumber("n", r.Count);
            if (r.Error != null) w.WriteString("error", r.Error);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (j.Error != null) w.WriteString("error", j.Error);
        w.WriteEndObject();
    }
}
