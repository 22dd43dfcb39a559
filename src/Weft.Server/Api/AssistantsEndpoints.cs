// /api/assistants: saved assistants (name, system prompt, model, sampling settings) that conversations start from.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Server.Storage;

namespace Weft.Server.Api;

internal static class AssistantsEndpoints
{
    public static RouteGroupBuilder MapAssistants(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/assistants");
        g.MapGet("/", async (HttpContext http, ChatStore store) =>
        {
            var list = store.ListAssistants();
            await Json.WriteAsync(http.Response, w => StoreJson.List(w, list, StoreJson.Assistant));
        });
        g.MapPost("/", async (HttpContext http, ChatStore store) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            if (!StoreJson.IsPresent(body, "name")) throw ApiException.BadRequest("'name' is required", "name");
            var a = store.CreateAssistant(Read(body, null));
            await Json.WriteAsync(http.Response, w => StoreJson.Assistant(w, a), StatusCodes.Status201Created);
        });
        g.MapGet("/{id}", async (HttpContext http, ChatStore store, string id) =>
        {
            var a = store.GetAssistant(id) ?? throw StoreJson.NotFound("assistant", id);
            await Json.WriteAsync(http.Response, w => StoreJson.Assistant(w, a));
        });
        g.MapPatch("/{id}", async (HttpContext http, ChatStore store, string id) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            var old = store.GetAssistant(id) ?? throw StoreJson.NotFound("assistant", id);
            var a = store.UpdateAssistant(id, Read(body, old)) ?? throw StoreJson.NotFound("assistant", id);
            await Json.WriteAsync(http.Response, w => StoreJson.Assistant(w, a));
        });
        g.MapDelete("/{id}", async (HttpContext http, ChatStore store, string id) =>
        {
            if (!store.DeleteAssistant(id)) throw StoreJson.NotFound("assistant", id);
            await Json.WriteAsync(http.Response, w => StoreJson.Deleted(w, id, "assistant"));
        });
        return api;
    }

    /// <summary>The fields of a body over an old assistant's (PATCH) or the defaults (POST); present null clears.</summary>
    private static AssistantFields Read(JsonRequest body, Assistant? old)
    {
        string name = StoreJson.Label(body, "name", StoreJson.MaxName) ?? old!.Name;
        string system = StoreJson.IsPresent(body, "system_prompt") ? StoreJson.BoundedString(body, "system_prompt", StoreJson.MaxPrompt) ?? "" : old?.SystemPrompt ?? "";
        string? model = StoreJson.IsPresent(body, "model") ? StoreJson.BoundedString(body, "model", StoreJson.MaxModel) : old?.Model;
        double? temperature = StoreJson.IsPresent(body, "temperature") ? body.OptionalNumber("temperature", 0, 2) : old?.Temperature;
        double? topP = StoreJson.IsPresent(body, "top_p") ? body.OptionalNumber("top_p", 0, 1) : old?.TopP;
        int? maxTokens = StoreJson.IsPresent(body, "max_tokens") ? (int?)body.OptionalInteger("max_tokens", 1, 1_000_000) : old?.MaxTokens;
        return new AssistantFields(name, system, model, temperature, topP, maxTokens);
    }
}
