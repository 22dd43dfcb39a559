// logit_bias: OpenAI's {"token id": bias} object, and llama-server's [[token id or text, bias], ...] array; false bans.
using System.Globalization;
using System.Text.Json;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

internal static class LogitBiasField
{
    /// <summary>OpenAI's bounds on one bias.</summary>
    public const double MaxBias = 100;

    /// <summary>Most entries one request may bias.</summary>
    public const int MaxEntries = 1024;

    /// <summary>token id → bias (−∞ for false), or null when the field is absent or empty.</summary>
    public static IReadOnlyDictionary<int, float>? Read(JsonRequest body, LoadedModel model)
    {
        if (body.Get("logit_bias") is not { } field) return null;
        int vocab = model.Model.Config.VocabSize;
        var biases = new Dictionary<int, float>();
        if (field.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in field.EnumerateObject())
            {
                string at = $"logit_bias.{p.Name}";
                if (!int.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                    throw ApiException.BadRequest($"'{at}': the keys of 'logit_bias' are token ids (decimal integers); got '{p.Name}'", "logit_bias");
                Add(biases, id, Bias(p.Value, at), vocab, at);
            }
        }
        else if (field.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var pair in field.EnumerateArray())
            {
                string at = $"logit_bias[{i++}]";
                if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
                    throw JsonRequest.WrongType(at, "a [token, bias] pair");
                float bias = Bias(pair[1], at + "[1]");
                var token = pair[0];
                if (token.ValueKind == JsonValueKind.Number && token.TryGetInt32(out int id)) Add(biases, id, bias, vocab, at);
                else if (token.ValueKind == JsonValueKind.String)
                    foreach (int t in model.Tokenizer.Encode(token.GetString()!, addSpecial: false, parseSpecial: false)) Add(biases, t, bias, vocab, at);
                else throw JsonRequest.WrongType(at + "[0]", "a token id or a string");
            }
        }
        else throw JsonRequest.WrongType("logit_bias", "an object of token id → bias");
        return biases.Count == 0 ? null : biases;
    }

    private static float Bias(JsonElement v, string at)
    {
        if (v.ValueKind == JsonValueKind.False) return float.NegativeInfinity;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || !double.IsFinite(d))
            throw JsonRequest.WrongType(at, "a number from -100 to 100, or false to ban the token");
        if (d < -MaxBias || d > MaxBias) throw ApiException.BadRequest($"'{at}' must be between -100 and 100; got {d}", "logit_bias");
        return (float)d;
    }

    private static void Add(Dictionary<int, float> biases, int id, float bias, int vocab, string at)
    {
        if (id < 0 || id >= vocab)
            throw ApiException.BadRequest($"'{at}' names token {id}, outside the vocabulary of this model (0 to {vocab - 1})", "logit_bias");
        biases[id] = bias;
        if (biases.Count > MaxEntries) throw ApiException.BadRequest($"'logit_bias' may bias at most {MaxEntries} tokens", "logit_bias");
    }
}
