// POST /api/generate: Ollama's completion of one prompt: with the model's chat template around it (the prompt as the
// user's message, "system" before it), or with "raw": true as it is (tokenized as /v1/completions tokenizes a prompt).
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Inference.Templates;
using Weft.Server.Hosting;

namespace Weft.Server.Api.Ollama;

internal static class OllamaGenerateEndpoints
{
    public static RouteGroupBuilder MapOllamaGenerate(this RouteGroupBuilder api)
    {
        api.MapPost("/generate", async (HttpContext http, ModelPool pool, ServerMetrics metrics) =>
        {
            var started = Stopwatch.StartNew();
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string name = OllamaProtocol.ModelName(body);
            OllamaOptions.RefuseUnsupported(body);
            OllamaOptions.RefuseTools(body);
            OllamaOptions.RefuseImages(body.Get("images"), "images");
            // Ollama's "template" is a Go text/template; Weft renders the model's own Jinja template and has no Go
            // template engine, so a request's template is refused, never swapped silently for the model's
            if (!string.IsNullOrEmpty(body.OptionalString("template")))
                throw ApiException.BadRequest("'template' (a Go template) is not supported: this server renders the model's own chat template; format the prompt yourself and send it with 'raw': true", "template");
            if (!string.IsNullOrEmpty(body.OptionalString("suffix")))
                throw ApiException.BadRequest("'suffix' (fill-in-the-middle) is not supported by this server", "suffix");
            if (body.Get("context") is { } context && !(context.ValueKind == JsonValueKind.Array && context.GetArrayLength() == 0))
                throw ApiException.BadRequest("'context' (deprecated in Ollama) is not supported: this server does not return it; send the conversation to /api/chat instead", "context");
            string prompt = body.OptionalString("prompt") ?? "";
            string? system = body.OptionalString("system");
            bool raw = body.OptionalBool("raw", false);
            bool stream = OllamaOptions.Stream(body);
            bool unload = OllamaOptions.UnloadAfter(body);
            var (_, model, load) = await OllamaProtocol.LoadAsync(pool, name);
            var answer = new OllamaAnswer(name, started, load, static (w, text, _) => w.WriteString("response", text));
            if (prompt.Length == 0)
            {
                // no prompt: Ollama's way to load (or, with keep_alive 0, unload) a model
                await answer.RespondEmptyAsync(http, pool, model, unload);
                return;
            }
            int[] ids = raw ? model.Tokenizer.Encode(prompt, addSpecial: true, parseSpecial: true) : ChatPrompt.Tokens(model, Conversation(system, prompt));
            var request = OllamaOptions.Request(body, model, ids);
            await answer.RespondAsync(http, pool, model, request, stream, unload, metrics);
        });
        return api;
    }

    /// <summary>What Ollama's templates see: the system message (when given) and the prompt as the user's message.</summary>
    private static List<ChatMessage> Conversation(string? system, string prompt)
    {
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrEmpty(system)) messages.Add(ChatMessage.Text("system", system));
        messages.Add(ChatMessage.Text("user", prompt));
        return messages;
    }
}
