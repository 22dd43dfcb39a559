// /api/conversations: the chat page's saved conversations (list and search, create, read, rename, delete, append messages).
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Server.Storage;

namespace Weft.Server.Api;

internal static class ConversationsEndpoints
{
    private const int MaxMessagesPerCall = 100;
    private const int MaxContent = 1_000_000;
    private static readonly string[] Roles = ["system", "user", "assistant"];

    public static RouteGroupBuilder MapConversations(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/conversations");
        g.MapGet("/", async (HttpContext http, ChatStore store) =>
        {
            string? q = http.Request.Query["q"].ToString() is { Length: > 0 } s ? s : null;
            if (q is { Length: > StoreJson.MaxTitle }) throw ApiException.BadRequest($"'q' may hold at most {StoreJson.MaxTitle} characters", "q");
            int limit = 100;
            if (http.Request.Query["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, out limit) || limit is < 1 or > 1000))
                throw ApiException.BadRequest("'limit' must be an integer between 1 and 1000", "limit");
            var list = store.ListConversations(q, limit);
            await Json.WriteAsync(http.Response, w => StoreJson.List(w, list, (w, c) => StoreJson.Conversation(w, c)));
        });
        g.MapPost("/", async (HttpContext http, ChatStore store) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string title = StoreJson.Label(body, "title", StoreJson.MaxTitle) ?? "New chat";
            string? model = StoreJson.BoundedString(body, "model", StoreJson.MaxModel);
            string system = StoreJson.BoundedString(body, "system_prompt", StoreJson.MaxPrompt) ?? "";
            string? assistant = body.OptionalString("assistant_id");
            Conversation c;
            try { c = store.CreateConversation(title, model, system, assistant); }
            catch (MissingReferenceException e) { throw StoreJson.MissingReference(e); }
            await Json.WriteAsync(http.Response, w => StoreJson.Conversation(w, c, []), StatusCodes.Status201Created);
        });
        g.MapGet("/{id}", async (HttpContext http, ChatStore store, string id) =>
        {
            var c = store.GetConversation(id) ?? throw StoreJson.NotFound("conversation", id);
            var messages = store.Messages(id);
            await Json.WriteAsync(http.Response, w => StoreJson.Conversation(w, c, messages));
        });
        g.MapPatch("/{id}", async (HttpContext http, ChatStore store, string id) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            var change = new ConversationChange(
                Title: StoreJson.Label(body, "title", StoreJson.MaxTitle),
                Model: StoreJson.IsPresent(body, "model") ? StoreJson.BoundedString(body, "model", StoreJson.MaxModel) : default(Optional<string?>),
                SystemPrompt: StoreJson.IsPresent(body, "system_prompt") ? StoreJson.BoundedString(body, "system_prompt", StoreJson.MaxPrompt) ?? "" : null,
                AssistantId: StoreJson.IsPresent(body, "assistant_id") ? body.OptionalString("assistant_id") : default(Optional<string?>));
            Conversation? c;
            try { c = store.UpdateConversation(id, change); }
            catch (MissingReferenceException e) { throw StoreJson.MissingReference(e); }
            if (c == null) throw StoreJson.NotFound("conversation", id);
            await Json.WriteAsync(http.Response, w => StoreJson.Conversation(w, c));
        });
        g.MapDelete("/{id}", async (HttpContext http, ChatStore store, string id) =>
        {
            if (!store.DeleteConversation(id)) throw StoreJson.NotFound("conversation", id);
            await Json.WriteAsync(http.Response, w => StoreJson.Deleted(w, id, "conversation"));
        });
        g.MapPost("/{id}/messages", async (HttpContext http, ChatStore store, string id) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            var drafts = ReadMessages(body);
            var added = store.AppendMessages(id, drafts) ?? throw StoreJson.NotFound("conversation", id);
            await Json.WriteAsync(http.Response, w => StoreJson.List(w, added, StoreJson.Message), StatusCodes.Status201Created);
        });
        return api;
    }

    /// <summary>One message as the body, or several as "messages": [...], all checked before any is written.</summary>
    private static List<MessageDraft> ReadMessages(JsonRequest body)
    {
        if (!StoreJson.IsPresent(body, "messages")) return [ReadMessage(body, "")];
        if (body.Get("messages") is not { ValueKind: JsonValueKind.Array } array) throw JsonRequest.WrongType("messages", "an array of messages");
        var drafts = new List<MessageDraft>();
        int i = 0;
        foreach (var e in array.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object) throw JsonRequest.WrongType($"messages[{i}]", "an object");
            drafts.Add(ReadMessage(new JsonRequest(e), $"messages[{i}]."));
            i++;
        }
        if (drafts.Count == 0) throw ApiException.BadRequest("'messages' must not be empty", "messages");
        if (drafts.Count > MaxMessagesPerCall) throw ApiException.BadRequest($"'messages' may hold at most {MaxMessagesPerCall} entries", "messages");
        return drafts;
    }

    private static MessageDraft ReadMessage(JsonRequest m, string prefix)
    {
        string role = Field(() => m.RequiredString("role"), prefix);
        if (!Roles.Contains(role))
            throw ApiException.BadRequest($"'{prefix}role' is '{role}'; it must be one of {string.Join(", ", Roles)}", prefix + "role");
        string content = Field(() => m.RequiredString("content"), prefix);
        if (content.Length > MaxContent) throw ApiException.BadRequest($"'{prefix}content' may hold at most {MaxContent} characters", prefix + "content");
        double? tps = Field(() => m.OptionalNumber("tokens_per_second", 0, 1e9), prefix);
        return new MessageDraft(role, content, tps);
    }

    /// <summary>Runs a field getter, naming the field with its place in the array when it refuses.</summary>
    private static T Field<T>(Func<T> read, string prefix)
    {
        if (prefix.Length == 0) return read();
        try { return read(); }
        catch (ApiException e) when (e.Param != null)
        {
            throw new ApiException(e.Status, e.Message.Replace($"'{e.Param}'", $"'{prefix}{e.Param}'", StringComparison.Ordinal), e.Type, prefix + e.Param, e.Code);
        }
    }
}
