// Weft's own request fields, kept apart from OpenAI's under "weft": {"ctx": N} (this request's KV context in tokens), and
// the generation request both completion endpoints build from them.
using System.Text.Json;
using Weft.Inference.Generation;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

internal static class WeftFields
{
    /// <summary>weft.ctx: the context this request runs with, 1 to the model's context on this server; null when absent.</summary>
    public static int? Context(JsonRequest body, LoadedModel model)
    {
        if (body.Get("weft") is not { } weft) return null;
        if (weft.ValueKind != JsonValueKind.Object) throw JsonRequest.WrongType("weft", "an object");
        if (!weft.TryGetProperty("ctx", out var ctx) || ctx.ValueKind == JsonValueKind.Null) return null;
        if (ctx.ValueKind != JsonValueKind.Number || !ctx.TryGetInt64(out long n)) throw JsonRequest.WrongType("weft.ctx", "an integer");
        if (n < 1 || n > model.ContextSize)
            throw ApiException.BadRequest(
                $"'weft.ctx' must be between 1 and {model.ContextSize} (the largest context this server runs '{model.Entry.Id}' with); got {n}", "weft.ctx");
        return (int)n;
    }

    /// <summary>
    /// The generation request of a completion endpoint: weft.ctx read first, then the prompt built, then the sampling
    /// fields with logit_bias, the context (the request's, else the model's) and the log-probabilities the endpoint parsed.
    /// </summary>
    public static GenerationRequest CompletionRequest(JsonRequest body, LoadedModel model, Func<int[]> prompt, int? logProbabilities)
    {
        int? context = Context(body, model);
        var bias = LogitBiasField.Read(body, model);
        var request = SamplingFields.Request(body, prompt(), context ?? model.ContextSize);
        return request with
        {
            ContextSize = context,
            LogProbabilities = logProbabilities,
            Sampling = bias == null ? request.Sampling : request.Sampling with { LogitBias = bias },
        };
    }
}
