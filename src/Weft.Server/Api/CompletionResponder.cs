// The response of a generation endpoint, whole or as server-sent events, shared by chat and text completions: head,
// choice, usage, llama-server's timings; each endpoint writes only the fields of its own choice object.
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Inference.Tools;
using Weft.Server.Hosting;
using Weft.Tokenizers;

namespace Weft.Server.Api;

/// <summary>What one choice object shows: the whole answer, or one streamed chunk of it.</summary>
/// <param name="Streamed">a chunk (chat: "delta"), not the whole answer (chat: "message")</param>
/// <param name="First">the first chunk of a stream (chat: carries the role)</param>
/// <param name="Text">the text; null in the chunk that ends a stream</param>
/// <param name="Probabilities">the log-probabilities of this text's tokens; null when not asked for</param>
/// <param name="Calls">chat: the function calls of a whole answer</param>
/// <param name="CallDeltas">chat: pieces of streamed calls</param>
internal readonly record struct ChoicePart(bool Streamed, bool First, string? Text, IReadOnlyList<TokenProbabilities>? Probabilities,
    IReadOnlyList<ToolCall>? Calls = null, IReadOnlyList<ToolCallDelta>? CallDeltas = null);

internal abstract class CompletionResponder(string id, string modelId, Tokenizer tokenizer)
{
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    protected Tokenizer Tokenizer { get; } = tokenizer;
    /// <summary>The object type of a whole answer ("chat.completion").</summary>
    protected abstract string WholeObject { get; }
    /// <summary>The object type of a streamed chunk ("chat.completion.chunk").</summary>
    protected abstract string ChunkObject { get; }
    /// <summary>Whether a stream opens with an empty chunk (chat: the one naming the role).</summary>
    protected virtual bool OpeningChunk => false;
    protected virtual void HeadExtras(Utf8JsonWriter w) { }
    /// <summary>The fields of one choice other than index and finish_reason.</summary>
    protected abstract void Choice(Utf8JsonWriter w, ChoicePart part);
    /// <summary>The choice of a whole answer (chat with tools: content and calls read from the text).</summary>
    protected virtual ChoicePart Whole(GenerationResult r) => new(false, false, r.Text, r.Probabilities);
    /// <summary>The chunks a streamed piece of text becomes (chat with tools: none while a marker may be starting).</summary>
    protected virtual IReadOnlyList<ChoicePart> Pieces(string text) => [new ChoicePart(true, false, text, null)];
    /// <summary>The chunks held back until the end of the stream.</summary>
    protected virtual IReadOnlyList<ChoicePart> StreamEnd() => [];
    protected virtual string FinishReason(GenerationResult r) => GenerationCall.FinishReasonText(r.Finish);

    /// <summary>Generates and answers: one JSON object, or events ending in a chunk with the finish reason and timings,
    /// then (stream_options.include_usage) a chunk with no choices and the usage, then [DONE]. Returns the generation.</summary>
    public async Task<GenerationResult> RespondAsync(HttpContext http, LoadedModel model, GenerationRequest request, bool stream, bool includeUsage, ServerMetrics metrics)
    {
        if (!stream)
        {
            var r = await GenerationCall.RunAsync(model, request, null, http.RequestAborted);
            metrics.Generated(r);
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                Head(w, WholeObject);
                OneChoice(w, Whole(r), FinishReason(r));
                Json.Usage(w, r);
                Json.Timings(w, r);
                w.WriteEndObject();
            });
            return r;
        }

        GenerationCall.CheckFits(model, request); // a prompt that does not fit gets its 400 before the stream starts
        Json.StartEvents(http.Response);
        if (OpeningChunk) await Json.EventAsync(http.Response, w => Chunk(w, new ChoicePart(true, true, "", null), null, null));
        int streamed = 0; // tokens whose probabilities went out with a piece
        TokenProbabilities[]? carried = null; // of pieces that became no chunk yet
        var result = await GenerationCall.RunAsync(model, request, async piece =>
        {
            var probabilities = carried == null || piece.Probabilities == null ? piece.Probabilities ?? carried : [.. carried, .. piece.Probabilities];
            var parts = Pieces(piece.Text);
            if (parts.Count == 0)
            {
                carried = probabilities;
                return;
            }
            carried = null;
            streamed += probabilities?.Length ?? 0;
            for (int i = 0; i < parts.Count; i++)
            {
                var part = i == 0 ? parts[i] with { Probabilities = probabilities } : parts[i];
                await Json.EventAsync(http.Response, w => Chunk(w, part, null, null));
            }
        }, http.RequestAborted);
        metrics.Generated(result);
        foreach (var part in StreamEnd()) await Json.EventAsync(http.Response, w => Chunk(w, part, null, null));
        // tokens whose text never went out (held back by a stop string) keep their probabilities in the last chunk
        var rest = result.Probabilities is { } all && all.Count > streamed ? all.Skip(streamed).ToArray() : null;
        await Json.EventAsync(http.Response, w => Chunk(w, new ChoicePart(true, false, null, rest), FinishReason(result), result));
        if (includeUsage)
        {
            await Json.EventAsync(http.Response, w =>
            {
                w.WriteStartObject();
                Head(w, ChunkObject);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                Json.Usage(w, result);
                w.WriteEndObject();
            });
        }
        await Json.DoneAsync(http.Response);
        return result;
    }

    private void Head(Utf8JsonWriter w, string kind)
    {
        w.WriteString("id", id);
        w.WriteString("object", kind);
        w.WriteNumber("created", _created);
        w.WriteString("model", modelId);
        HeadExtras(w);
    }

    private void OneChoice(Utf8JsonWriter w, ChoicePart part, string? finish)
    {
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        Choice(w, part);
        if (finish == null) w.WriteNull("finish_reason"); else w.WriteString("finish_reason", finish);
        w.WriteEndObject();
        w.WriteEndArray();
    }

    /// <summary>A chunk; the last one (<paramref name="end"/> given) carries the finish reason and the timings.</summary>
    private void Chunk(Utf8JsonWriter w, ChoicePart part, string? finish, GenerationResult? end)
    {
        w.WriteStartObject();
        Head(w, ChunkObject);
        OneChoice(w, part, finish);
        if (end != null) Json.Timings(w, end);
        w.WriteEndObject();
    }

    /// <summary>The token as text (its piece, special tokens as their text) and as UTF-8 bytes.</summary>
    protected (string Text, byte[] Bytes) TokenPiece(int token)
    {
        byte[] bytes = Tokenizer.Piece(token, renderSpecial: true).ToArray();
        return (Encoding.UTF8.GetString(bytes), bytes);
    }
}
