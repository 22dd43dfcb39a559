// The OpenAI request fields shared by chat and text completions: sampling, length and stop strings.
using Weft.Inference.Generation;
using Weft.Inference.Sampling;

namespace Weft.Server.Api;

internal static class SamplingFields
{
    public static SamplingOptions Read(JsonRequest r)
    {
        var options = new SamplingOptions
        {
            // OpenAI's defaults: temperature 1, top_p 1, no other filter
            Temperature = (float)(r.OptionalNumber("temperature", 0, 2) ?? 1.0),
            TopP = (float)(r.OptionalNumber("top_p", 0, 1) ?? 1.0),
            TopK = (int)(r.OptionalInteger("top_k", 0, int.MaxValue) ?? 0),
            MinP = (float)(r.OptionalNumber("min_p", 0, 1) ?? 0.0),
            RepeatPenalty = (float)(r.OptionalNumber("repeat_penalty", 0.01, 10) ?? 1.0),
            FrequencyPenalty = (float)(r.OptionalNumber("frequency_penalty", -2, 2) ?? 0.0),
            PresencePenalty = (float)(r.OptionalNumber("presence_penalty", -2, 2) ?? 0.0),
            RepeatLastN = -1,
            Seed = r.OptionalSeed("seed"),
        };
        try { options.Validate(); }
        catch (ArgumentException e) { throw ApiException.BadRequest(e.Message); }
        return options;
    }

    /// <summary>max_completion_tokens, else max_tokens, else what is left of the context.</summary>
    public static int MaxTokens(JsonRequest r, int fallback) =>
        (int)(r.OptionalInteger("max_completion_tokens", 0, int.MaxValue) ?? r.OptionalInteger("max_tokens", 0, int.MaxValue) ?? fallback);

    public static GenerationRequest Request(JsonRequest r, int[] prompt, int contextSize) => new()
    {
        Prompt = prompt,
        MaxTokens = MaxTokens(r, Math.Max(1, contextSize - prompt.Length)),
        Sampling = Read(r),
        // an empty stop string would stop everywhere: it is dropped, as Ollama drops it
        StopStrings = [.. r.StringOrStrings("stop", 16).Where(s => s.Length > 0)],
        StopAtEndOfGeneration = true,
        Grammar = ResponseFormatFields.Read(r),
    };
}
