// The blind arena: POST /api/arena/battles opens a battle between two models drawn from a pool (local models and the
// remote ones of the endpoints file), whose answers stream from POST /api/arena/battles/{id}/answers/{a|b} without
// their names (a remote one relayed by RemoteArenaAnswer); POST /api/arena/battles/{id}/vote stores the vote (SQLite,
// DataDirectory/weft.db) and reveals the names; GET /api/arena/leaderboard fits the ratings; GET/POST
// /api/arena/votes export and import the stored battles as JSONL. GET /arena serves the page.
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Evaluation.Arena;
using Weft.Evaluation.Storage;
using Weft.Inference.Generation;
using Weft.Inference.Templates;
using Weft.Server.Hosting;
using Weft.Server.Remote;

namespace Weft.Server.Api;

internal static class ArenaEndpoints
{
    private const int MaxPoolIds = 64;

    public static RouteGroupBuilder MapArena(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/arena");
        g.MapPost("/battles", async (HttpContext http, ModelPool pool, ArenaBattles battles, RemoteEndpoints remote) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            var messages = Messages(body);
            _ = SamplingFields.Read(body); // refuse bad sampling fields now, not when the answers start
            var models = Pool(body, pool.Catalog, remote);
            string prompt = messages.LastOrDefault(m => m.Role == "user")?.Fields.Get("content") is StringValue s ? s.V : "";
            var battle = battles.Open(models, messages, prompt, body.Root.Clone());
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteString("id", battle.Id);
                w.WriteStartArray("sides");
                w.WriteStringValue("a");
                w.WriteStringValue("b");
                w.WriteEndArray();
                w.WriteNumber("pool", models.Count);
                w.WriteEndObject();
            }, StatusCodes.Status201Created);
        });
        g.MapGet("/battles/{id}", async (HttpContext http, ArenaBattles battles, ServerOptions options, string id) =>
        {
            if (battles.Find(id) is { } open)
            {
                await Json.WriteAsync(http.Response, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("id", open.Id);
                    w.WriteString("prompt", open.Prompt);
                    lock (open.Gate)
                    {
                        SideJson(w, "a", open.A);
                        SideJson(w, "b", open.B);
                    }
                    w.WriteBoolean("voted", false);
                    w.WriteEndObject();
                });
                return;
            }
            var stored = Stored(options, id) ?? throw UnknownBattle(id);
            await Json.WriteAsync(http.Response, w => Revealed(w, stored));
        });
        g.MapPost("/battles/{id}/answers/{side}", async (HttpContext http, ModelPool pool, ArenaBattles battles, ServerMetrics metrics, RemoteEndpoints remote, string id, string side) =>
        {
            if (side is not ("a" or "b")) throw ApiException.BadRequest($"side '{side}' is neither 'a' nor 'b'", "side");
            var battle = battles.Find(id) ?? throw UnknownBattle(id);
            var answer = battle.Side(side[0]);
            lock (battle.Gate)
            {
                if (battle.Voted) throw Conflict($"battle '{id}' has its vote already", "already_voted");
                if (answer.State != SideState.Waiting)
                    throw Conflict($"answer {side} of battle '{id}' is {(answer.State == SideState.Streaming ? "streaming" : "finished")} already", "answer_started");
                answer.State = SideState.Streaming;
            }
            GenerationResult? result = null;
            try
            {
                if (pool.Catalog.Find(answer.Model) == null && remote.Replicas(answer.Model).Count > 0)
                {
                    result = await RemoteArenaAnswer.StreamAsync(http, remote, answer.Model, battle.Options, "model-" + side);
                    return;
                }
                var model = await pool.GetAsync(answer.Model);
                var request = WeftFields.CompletionRequest(new JsonRequest(battle.Options), model, () => ChatPrompt.Tokens(model, battle.Messages), null);
                var responder = new ChatCompletionsEndpoints.ChatResponder("chatcmpl-" + Guid.NewGuid().ToString("N"), "model-" + side, model.Tokenizer);
                result = await responder.RespondAsync(http, model, request, stream: true, includeUsage: true, metrics);
            }
            finally
            {
                lock (battle.Gate)
                {
                    if (result is { Finish: not FinishReason.Cancelled } r)
                    {
                        answer.Text = r.Text;
                        answer.Tokens = r.Tokens.Count;
                        answer.State = SideState.Finished;
                    }
                    else answer.State = SideState.Waiting; // broke off: the side may be asked for again
                }
            }
        });
        g.MapPost("/battles/{id}/vote", async (HttpContext http, ArenaBattles battles, ServerOptions options, string id) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string text = body.RequiredString("winner");
            if (!ArenaWinners.TryParse(text, out var winner))
                throw ApiException.BadRequest($"'winner' is '{text}'; expected one of a, b, tie, both_bad", "winner");
            var battle = battles.Find(id);
            if (battle == null)
            {
                if (Stored(options, id) != null) throw Conflict($"battle '{id}' has its vote already", "already_voted");
                throw UnknownBattle(id);
            }
            ArenaBattle stored;
            lock (battle.Gate)
            {
                if (battle.Voted) throw Conflict($"battle '{id}' has its vote already", "already_voted");
                if (battle.A.State != SideState.Finished || battle.B.State != SideState.Finished)
                    throw Conflict($"battle '{id}': both answers must finish before the vote", "answers_unfinished");
                battle.Voted = true;
                stored = new ArenaBattle(battle.Id, battle.A.Model, battle.B.Model, winner, battle.Prompt,
                    AnswerStyle.Of(battle.A.Text, battle.A.Tokens), AnswerStyle.Of(battle.B.Text, battle.B.Tokens), DateTimeOffset.UtcNow);
            }
            try
            {
                using var store = OpenStore(options);
                store.Add(stored);
            }
            catch
            {
                lock (battle.Gate) battle.Voted = false; // not stored: the vote may be cast again
                throw;
            }
            battles.Close(id);
            await Json.WriteAsync(http.Response, w => Revealed(w, stored));
        });
        g.MapGet("/leaderboard", async (HttpContext http, ServerOptions options) =>
        {
            bool style = http.Request.Query["style_control"].ToString() is "true" or "1";
            var board = Leaderboard(options, style);
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartArray();
                foreach (var r in board.Ratings)
                {
                    w.WriteStartObject();
                    w.WriteString("model", r.Model);
                    w.WriteNumber("rating", Math.Round(r.Rating, 1));
                    w.WriteNumber("lower", Math.Round(r.Lower, 1));
                    w.WriteNumber("upper", Math.Round(r.Upper, 1));
                    w.WriteNumber("battles", r.Battles);
                    w.WriteNumber("wins", r.Wins);
                    w.WriteNumber("ties", r.Ties);
                    w.WriteNumber("losses", r.Losses);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        });
        g.MapGet("/votes", async (HttpContext http, ServerOptions options) =>
        {
            var all = StoredBattles(options);
            http.Response.ContentType = "application/x-ndjson; charset=utf-8";
            http.Response.Headers.ContentDisposition = "attachment; filename=\"arena-votes.jsonl\"";
            var text = new StringBuilder();
            foreach (var b in all) text.Append(ArenaVotes.Line(b)).Append('\n');
            await http.Response.WriteAsync(text.ToString(), http.RequestAborted);
        });
        g.MapPost("/votes", async (HttpContext http, ServerOptions options) =>
        {
            using var reader = new StreamReader(http.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            string text;
            try { text = await reader.ReadToEndAsync(http.RequestAborted); }
            catch (DecoderFallbackException) { throw ApiException.BadRequest("the request body is not valid UTF-8"); }
            IReadOnlyList<ArenaBattle> incoming;
            try { incoming = ArenaVotes.Read(new StringReader(text), "request body"); }
            catch (ArenaVotesException e) { throw ApiException.BadRequest(e.Message); }
            using var store = OpenStore(options);
            int added = store.Import(incoming);
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                w.WriteNumber("read", incoming.Count);
                w.WriteNumber("imported", added);
                w.WriteEndObject();
            });
        });
        return api;
    }

    /// <summary>The arena page, from the embedded wwwroot/arena.html.</summary>
    public static IEndpointRouteBuilder MapArenaPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/arena", (HttpContext http) => WebUiEndpoints.Serve(http, "arena.html"));
        return app;
    }

    /// <summary>The fitted ratings of every stored battle (none stored yet: an empty board, and no file created).</summary>
    public static ArenaLeaderboard Leaderboard(ServerOptions options, bool styleControl) =>
        ArenaRatings.Compute(StoredBattles(options), new ArenaRatingOptions { StyleControl = styleControl });

    /// <summary>messages (as chat completions reads them), or a prompt: one user message.</summary>
    private static IReadOnlyList<ChatMessage> Messages(JsonRequest body)
    {
        if (body.Has("messages")) return ChatMessages.Read(body);
        string prompt = body.OptionalString("prompt") ?? throw ApiException.BadRequest("'messages' or 'prompt' is required", "messages");
        if (prompt.Length == 0) throw ApiException.BadRequest("'prompt' must not be empty", "prompt");
        return [ChatMessage.Text("user", prompt)];
    }

    /// <summary>The models a battle draws from: "models" (ids of this server's models, remote ones included), else every
    /// usable model: the local ones and the remote ones with a replica up.</summary>
    private static IReadOnlyList<string> Pool(JsonRequest body, ModelCatalog catalog, RemoteEndpoints remote)
    {
        var usable = catalog.List().Where(m => m.Problem == null).Select(m => m.Id).ToList();
        var remoteIds = remote.Models().Where(m => m.Replicas.Any(r => r.Up)).Select(m => m.Id).Where(id => !usable.Contains(id)).ToList();
        IReadOnlyList<string> pool;
        if (body.Has("models"))
        {
            pool = body.StringOrStrings("models", MaxPoolIds).Distinct(StringComparer.Ordinal).ToList();
            foreach (var id in pool)
                if (!usable.Contains(id) && remote.Replicas(id).Count == 0)
                    throw ApiException.NotFound($"the model '{id}' does not exist on this server (see /v1/models)", "models");
        }
        else pool = [.. usable, .. remoteIds];
        if (pool.Count < 2)
            throw ApiException.BadRequest($"a battle needs at least two different models; the pool has {pool.Count}", "models", "pool_too_small");
        return pool;
    }

    private static void SideJson(Utf8JsonWriter w, string name, ArenaSide side)
    {
        w.WriteStartObject(name);
        w.WriteString("state", side.State switch { SideState.Waiting => "waiting", SideState.Streaming => "streaming", _ => "finished" });
        w.WriteNumber("tokens", side.Tokens);
        w.WriteEndObject();
    }

    private static void Revealed(Utf8JsonWriter w, ArenaBattle b)
    {
        w.WriteStartObject();
        w.WriteString("id", b.Id);
        w.WriteString("prompt", b.Prompt);
        w.WriteBoolean("voted", true);
        w.WriteString("winner", ArenaWinners.ToJson(b.Winner));
        w.WriteString("model_a", b.ModelA);
        w.WriteString("model_b", b.ModelB);
        w.WriteEndObject();
    }

    private static ApiException UnknownBattle(string id) => new(404, $"there is no battle '{id}'", param: "id", code: "not_found");

    private static ApiException Conflict(string message, string code) => new(409, message, code: code);

    private static string StorePath(ServerOptions options) => Path.Combine(options.DataDirectory, ResultStore.FileName);

    private static ArenaStore OpenStore(ServerOptions options) => ArenaStore.Open(StorePath(options));

    private static IReadOnlyList<ArenaBattle> StoredBattles(ServerOptions options)
    {
        if (!File.Exists(StorePath(options))) return [];
        using var store = OpenStore(options);
        return store.All();
    }

    private static ArenaBattle? Stored(ServerOptions options, string id)
    {
        if (!File.Exists(StorePath(options))) return null;
        using var store = OpenStore(options);
        return store.Find(id);
    }
}
