// GET /api/leaderboard[?task=T]: the stored `weft eval` results as {"tasks":[…],"rows":[…]} (the same document
// `weft leaderboard --json` prints), read from DataDirectory/weft.db; GET /leaderboard: the page that draws it.
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Evaluation.Reports;
using Weft.Evaluation.Storage;

namespace Weft.Server.Api;

internal static class LeaderboardEndpoints
{
    public static RouteGroupBuilder MapLeaderboard(this RouteGroupBuilder api)
    {
        api.MapGet("/leaderboard", async (HttpContext http, ServerOptions options) =>
        {
            string? task = http.Request.Query["task"].ToString() is { Length: > 0 } t ? t : null;
            if (task is { Length: > 200 }) throw ApiException.BadRequest("'task' may hold at most 200 characters", "task");
            Leaderboard board;
            string path = Path.Combine(options.DataDirectory, ResultStore.FileName);
            if (!File.Exists(path)) board = new Leaderboard([], []); // nothing evaluated yet: do not create the file
            else
            {
                using var store = ResultStore.Open(path);
                board = Leaderboard.Build(store.Models(), store.Runs(task), task);
            }
            http.Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(http.Response.Body, board, ResultJson.Compact, http.RequestAborted);
        });
        return api;
    }

    /// <summary>The page itself, from the embedded wwwroot/leaderboard.html under the same headers as the chat page.</summary>
    public static IEndpointRouteBuilder MapLeaderboardPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/leaderboard", (HttpContext http) => WebUiEndpoints.Serve(http, "leaderboard.html"));
        return app;
    }
}
