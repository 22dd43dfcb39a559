// POST /v1/responses: OpenAI's Responses API over the chat template — text or message input, instructions,
// max_output_tokens, temperature, top_p and text.format (JSON, or JSON that a schema validates); answered whole or as named server-sent events. Responses are not stored.
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Weft.Inference.Generation;
using Weft.Inference.Grammar;
using Weft.Server.Hosting;

namespace Weft.Server.Api.Responses;

internal static class ResponsesEndpoints
{
    public static RouteGroupBuilder MapResponses(this RouteGroupBuilder v1)
    {
        v1.MapPost("/responses", async (HttpContext http, ModelPool pool, ServerMetrics metrics) =>
        {
            var body = await JsonRequest.ReadAsync(http.Request, http.RequestAborted);
            string modelId = body.RequiredString("model");
            var messages = ResponsesInput.Read(body);
            Refuse(body);
            bool stream = body.OptionalBool("stream", false);
            int? maxOutput = (int?)body.OptionalInteger("max_output_tokens", 1, int.MaxValue);
            var sampling = SamplingFields.Read(body);
            var (format, grammar) = TextFormat(body);
            var model = await pool.GetAsync(modelId);
            int? context = WeftFields.Context(body, model);
            var prompt = ChatPrompt.Tokens(model, messages);
            var request = new GenerationRequest
            {
                Prompt = prompt,
                MaxTokens = maxOutput ?? Math.Max(1, (context ?? model.ContextSize) - prompt.Length),
                Sampling = sampling,
                StopAtEndOfGeneration = true,
                ContextSize = context,
                Grammar = grammar,
            };
            var response = new ResponseObject(new ResponseSettings(modelId, body.OptionalString("instructions"), maxOutput,
                sampling.Temperature, sampling.TopP, format));
            if (stream) await StreamAsync(http, model, request, response, metrics);
            else
            {
                var r = await GenerationCall.RunAsync(model, request, null, http.RequestAborted);
                metrics.Generated(r);
                await Json.WriteAsync(http.Response, w => response.Write(w, r));
            }
        });
        v1.MapGet("/responses/{id}", NotStored);
        return v1;
    }

    private static IResult NotStored(string id) =>
        throw new ApiException(404, $"no response '{id}': this server does not store responses", "invalid_request_error", "id", "not_found");

    /// <summary>Fields that would change the answer and that this endpoint cannot honour are refused, never ignored.</summary>
    private static void Refuse(JsonRequest body)
    {
        if (body.Get("previous_response_id") != null)
            throw ApiException.BadRequest("'previous_response_id' needs stored responses, which this server does not keep; send the conversation as 'input' items", "previous_response_id");
        if (body.Get("tools") is { } tools && !(tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() == 0))
            throw ApiException.BadRequest("'tools' is not supported on /v1/responses by this server; use /v1/chat/completions", "tools");
        if (body.Get("conversation") != null)
            throw ApiException.BadRequest("'conversation' needs stored conversations, which this endpoint does not keep", "conversation");
        if (body.Get("background") is { ValueKind: JsonValueKind.True })
            throw ApiException.BadRequest("'background' responses are not supported by this server", "background");
    }

    /// <summary>text.format, echoed back as given; json_object and json_schema become a grammar the answer must follow.</summary>
    private static (JsonElement? Echo, Grammar? Grammar) TextFormat(JsonRequest body)
    {
        if (body.Get("text") is not { } text) return (null, null);
        if (text.ValueKind != JsonValueKind.Object) throw JsonRequest.WrongType("text", "an object");
        if (!text.TryGetProperty("format", out var format) || format.ValueKind == JsonValueKind.Null) return (null, null);
        if (format.ValueKind != JsonValueKind.Object || !format.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            throw JsonRequest.WrongType("text.format", "an object with a 'type'");
        return (format.Clone(), ResponseFormatFields.Responses(format));
    }

    /// <summary>created, in_progress, the message item and its text part opened, text deltas, each closed again, then
    /// completed (or incomplete); a failure after the stream started ends it with an error event.</summary>
    private static async Task StreamAsync(HttpContext http, LoadedModel model, GenerationRequest request, ResponseObject response, ServerMetrics metrics)
    {
        GenerationCall.CheckFits(model, request); // a prompt that does not fit gets its 400 before the stream starts
        Json.StartEvents(http.Response);
        int sequence = 0;
        Task Event(string type, Action<Utf8JsonWriter> fields) => Json.NamedEventAsync(http.Response, type, w =>
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteNumber("sequence_number", sequence++);
            fields(w);
            w.WriteEndObject();
        });
        void Part(Utf8JsonWriter w)
        {
            w.WriteString("item_id", response.MessageId);
            w.WriteNumber("output_index", 0);
            w.WriteNumber("content_index", 0);
        }
        await Event("response.created", w => { w.WritePropertyName("response"); response.Write(w, null); });
        await Event("response.in_progress", w => { w.WritePropertyName("response"); response.Write(w, null); });
        await Event("response.output_item.added", w => { w.WriteNumber("output_index", 0); w.WritePropertyName("item"); response.Message(w, null, "in_progress"); });
        await Event("response.content_part.added", w => { Part(w); w.WritePropertyName("part"); ResponseObject.TextPart(w, ""); });
        GenerationResult r;
        try
        {
            r = await GenerationCall.RunAsync(model, request, piece => Event("response.output_text.delta", w => { Part(w); w.WriteString("delta", piece.Text); }), http.RequestAborted);
        }
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
        {
            var error = ErrorWriter.Translate(e);
            await Event("error", w =>
            {
                w.WriteString("code", error.Code ?? error.Type);
                w.WriteString("message", error.Message);
                if (error.Param is null) w.WriteNull("param"); else w.WriteString("param", error.Param);
            });
            return;
        }
        metrics.Generated(r);
        string status = ResponseObject.Status(r);
        await Event("response.output_text.done", w => { Part(w); w.WriteString("text", r.Text); });
        await Event("response.content_part.done", w => { Part(w); w.WritePropertyName("part"); ResponseObject.TextPart(w, r.Text); });
        await Event("response.output_item.done", w => { w.WriteNumber("output_index", 0); w.WritePropertyName("item"); response.Message(w, r.Text, status); });
        await Event(status == "completed" ? "response.completed" : "response.incomplete", w => { w.WritePropertyName("response"); response.Write(w, r); });
    }
}
