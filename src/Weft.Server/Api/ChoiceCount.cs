// The n field of chat and text completions: how many choices to generate for one prompt, and each choice's request.
using Weft.Inference.Generation;

namespace Weft.Server.Api;

internal static class ChoiceCount
{
    /// <summary>OpenAI's largest n.</summary>
    public const int Max = 128;

    /// <summary>n, from 1 (the default) to <see cref="Max"/>; anything else is a 400 naming the field.</summary>
    public static int Read(JsonRequest body) => (int)(body.OptionalInteger("n", 1, Max) ?? 1);

    /// <summary>The request of each of <paramref name="n"/> choices: choice k samples with seed + k when a seed is
    /// given (so the choices differ and the answer repeats), with a fresh seed each when none is.</summary>
    public static GenerationRequest[] Requests(GenerationRequest request, int n)
    {
        var requests = new GenerationRequest[n];
        for (int k = 0; k < n; k++)
            requests[k] = k == 0 || request.Sampling.Seed is not ulong seed
                ? request
                : request with { Sampling = request.Sampling with { Seed = unchecked(seed + (ulong)k) } };
        return requests;
    }
}
