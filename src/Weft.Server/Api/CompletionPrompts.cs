// The prompts of a text completion request: a string, an array of strings, an array of token ids, or an array of
// token-id arrays (one choice per prompt).
using System.Text.Json;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

/// <summary>One prompt of a completion request.</summary>
/// <param name="Ids">the tokens the model evaluates</param>
/// <param name="Text">the prompt as text (as given, or the ids decoded): what echo repeats</param>
/// <param name="Added">how many leading tokens of <paramref name="Ids"/> the server added (the BOS of a text prompt); echo leaves them out</param>
internal sealed record CompletionPrompt(int[] Ids, string Text, int Added);

internal static class CompletionPrompts
{
    /// <summary>Most prompts in one request.</summary>
    public const int MaxPrompts = 2048;

    public static List<CompletionPrompt> Read(JsonRequest body, LoadedModel model)
    {
        var p = body.Get("prompt") ?? throw ApiException.BadRequest("'prompt' is required", "prompt");
        List<CompletionPrompt> result;
        if (p.ValueKind == JsonValueKind.String) result = [FromText(model, p.GetString()!)];
        else if (p.ValueKind == JsonValueKind.Array && p.GetArrayLength() > 0)
        {
            var items = p.EnumerateArray().ToList();
            if (items.All(i => i.ValueKind == JsonValueKind.String)) result = [.. items.Select(i => FromText(model, i.GetString()!))];
            else if (items.All(i => i.ValueKind == JsonValueKind.Number)) result = [FromIds(model, items)];
            else if (items.All(i => i.ValueKind == JsonValueKind.Array)) result = [.. items.Select(i => FromIds(model, [.. i.EnumerateArray()]))];
            else throw Wrong();
        }
        else throw Wrong();
        if (result.Count > MaxPrompts) throw ApiException.BadRequest($"'prompt' holds {result.Count} prompts; at most {MaxPrompts} are allowed", "prompt");
        return result;
    }

    private static ApiException Wrong() =>
        JsonRequest.WrongType("prompt", "a string, an array of strings, an array of token ids, or an array of token-id arrays");

    private static CompletionPrompt FromText(LoadedModel model, string text)
    {
        var ids = model.Tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
        if (ids.Length == 0) throw ApiException.BadRequest("'prompt' is empty", "prompt");
        var plain = model.Tokenizer.Encode(text, addSpecial: false, parseSpecial: true);
        int added = plain.Length < ids.Length && ids.AsSpan(ids.Length - plain.Length).SequenceEqual(plain) ? ids.Length - plain.Length : 0;
        return new CompletionPrompt(ids, text, added);
    }

    private static CompletionPrompt FromIds(LoadedModel model, List<JsonElement> items)
    {
        int vocab = model.Model.Config.VocabSize;
        if (items.Count == 0) throw ApiException.BadRequest("a prompt holds no tokens", "prompt");
        int[] ids = [.. items.Select(i => i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out int t) && t >= 0 && t < vocab
            ? t : throw ApiException.BadRequest($"'prompt' holds {i.GetRawText()}, not a token id of this model (0 to {vocab - 1})", "prompt"))];
        return new CompletionPrompt(ids, model.Tokenizer.Decode(ids), 0);
    }
}
