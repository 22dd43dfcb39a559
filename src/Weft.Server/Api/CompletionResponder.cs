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

    /// <summary>This choice's index in the answer (0 … n−1).</summary>
    public int Index { get; init; }

    // A stream's progress: tokens whose probabilities went out with a piece, and those of pieces that became no chunk yet.
    private int _streamed;
    private TokenProbabilities[]? _carried;

    /// <summary>Generates and answers: one JSON object, or events ending in a chunk with the finish reason and timings,
    /// then (stream_options.include_usage) a chunk with no choices and the usage, then [DONE]. Returns the generation.</summary>
    public async Task<GenerationResult> RespondAsync(HttpContext http, LoadedModel model, GenerationRequest request, bool stream, bool includeUsage, ServerMetrics metrics) =>
        (await RespondAsync(http, model, [this], [request], stream, includeUsage, metrics))[0];

    /// <summary>
    /// As the other overload, for n choices of one prompt: <paramref name="choices"/>[k] (index k, the same id) answers
    /// <paramref name="requests"/>[k]. The choices generate at once and stream interleaved, each ending with its own
    /// finish reason and timings; usage counts the prompt once and the tokens of every choice.
    /// </summary>
    public static async Task<GenerationResult[]> RespondAsync(HttpContext http, LoadedModel model, IReadOnlyList<CompletionResponder> choices,
        IReadOnlyList<GenerationRequest> requests, bool stream, bool includeUsage, ServerMetrics metrics)
    {
        var head = choices[0];
        if (!stream)
        {
            var results = await GenerationCall.RunManyAsync(model, requests, null, http.RequestAborted);
            foreach (var r in results) metrics.Generated(r);
            await Json.WriteAsync(http.Response, w =>
            {
                w.WriteStartObject();
                head.Head(w, head.WholeObject);
                w.WriteStartArray("choices");
                for (int k = 0; k < choices.Count; k++) choices[k].OneChoice(w, choices[k].Whole(results[k]), choices[k].FinishReason(results[k]));
                w.WriteEndArray();
                Json.Usage(w, results);
                Json.Timings(w, results);
                w.WriteEndObject();
            });
            return results;
        }

        GenerationCall.CheckFits(model, requests[0]); // a prompt that does not fit gets its 400 before the stream starts
        Json.StartEvents(http.Response);
        foreach (var c in choices)
            if (c.OpeningChunk) await Json.EventAsync(http.Response, w => head.Chunk(w, c, new ChoicePart(true, true, "", null), null, null));
        using var gate = new SemaphoreSlim(1, 1); // choices stream at once, their events one at a time
        var done = await GenerationCall.RunManyAsync(model, requests, async (k, piece) =>
        {
            await gate.WaitAsync(CancellationToken.None);
            try { await choices[k].StreamPieceAsync(http, head, piece); }
            finally { gate.Release(); }
        }, http.RequestAborted);
        for (int k = 0; k < choices.Count; k++)
        {
            var c = choices[k];
            var result = done[k];
            metrics.Generated(result);
            foreach (var part in c.StreamEnd()) await Json.EventAsync(http.Response, w => head.Chunk(w, c, part, null, null));
            // tokens whose text never went out (held back by a stop string) keep their probabilities in the last chunk
            var rest = result.Probabilities is { } all && all.Count > c._streamed ? all.Skip(c._streamed).ToArray() : null;
            await Json.EventAsync(http.Response, w => head.Chunk(w, c, new ChoicePart(true, false, null, rest), c.FinishReason(result), result));
        }
        if (includeUsage)
        {
            await Json.EventAsync(http.Response, w =>
            {
                w.WriteStartObject();
                head.Head(w, head.ChunkObject);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                Json.Usage(w, done);
                w.WriteEndObject();
            });
        }
        await Json.DoneAsync(http.Response);
        return done;
    }

    /// <summary>The chunks one streamed piece of this choice becomes (none while a tool-call marker may be starting).</summary>
    private async Task StreamPieceAsync(HttpContext http, CompletionResponder head, StreamPiece piece)
    {
        var probabilities = _carried == null || piece.Probabilities == null ? piece.Probabilities ?? _carried : [.. _carried, .. piece.Probabilities];
        var parts = Pieces(piece.Text);
        if (parts.Count == 0)
        {
            _carried = probabilities;
            return;
        }
        _carried = null;
        _streamed += probabilities?.Length ?? 0;
        for (int i = 0; i < parts.Count; i++)
        {
            var part = i == 0 ? parts[i] with { Probabilities = probabilities } : parts[i];
            await Json.EventAsync(http.Response, w => head.Chunk(w, this, part, null, null));
        }
    }

    private void Head(Utf8JsonWriter w, string kind)
    {
        w.WriteString("id", id);
        w.WriteString("object", kind);
        w.WriteNumber("created", _created);
        w.WriteString("model", modelId);
        HeadExtras(w);
    }

    /// <summary>This choice's object: index, its fields, finish_reason.</summary>
    private void OneChoice(Utf8JsonWriter w, ChoicePart part, string? finish)
    {
        w.WriteStartObject();
        w.WriteNumber("index", Index);
        Choice(w, part);
        if (finish == null) w.WriteNull("finish_reason"); else w.WriteString("finish_reason", finish);
        w.WriteEndObject();
    }

    /// <summary>A chunk (this responder's head) of <paramref name="choice"/>; its last one (<paramref name="end"/> given)
    /// carries the finish reason and the timings.</summary>
    private void Chunk(Utf8JsonWriter w, CompletionResponder choice, ChoicePart part, string? finish, GenerationResult? end)
    {
        w.WriteStartObject();
        Head(w, ChunkObject);
        w.WriteStartArray("choices");
        choice.OneChoice(w, part, finish);
        w.WriteEndArray();
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
