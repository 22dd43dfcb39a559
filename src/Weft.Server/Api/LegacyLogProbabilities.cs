// The legacy completions logprobs object {tokens, token_logprobs, top_logprobs, text_offset} for a run of tokens.
using System.Text;
using System.Text.Json;
using Weft.Inference.Sampling;
using Weft.Tokenizers;

namespace Weft.Server.Api;

internal static class LegacyLogProbabilities
{
    /// <summary>
    /// Writes "logprobs": per token its piece, its log-probability, the most likely pieces with the token's own
    /// ({piece: logprob}, one key per piece text, the more likely kept) and its offset in UTF-16 characters from the
    /// start of the text. A token with no probabilities (the first of a prompt) has null for both.
    /// </summary>
    public static void Write(Utf8JsonWriter w, Tokenizer tokenizer, IReadOnlyList<(int Token, TokenProbabilities? P)> tokens)
    {
        string Piece(int id) => Encoding.UTF8.GetString(tokenizer.Piece(id, renderSpecial: true));
        var pieces = tokens.Select(t => Piece(t.Token)).ToArray();
        w.WriteStartObject("logprobs");
        w.WriteStartArray("tokens");
        foreach (string piece in pieces) w.WriteStringValue(piece);
        w.WriteEndArray();
        w.WriteStartArray("token_logprobs");
        foreach (var (_, p) in tokens)
            if (p == null) w.WriteNullValue(); else w.WriteNumberValue(p.LogProbability);
        w.WriteEndArray();
        w.WriteStartArray("top_logprobs");
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].P is not { } p)
            {
                w.WriteNullValue();
                continue;
            }
            w.WriteStartObject();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in p.Top)
            {
                string piece = Piece(t.Id);
                if (seen.Add(piece)) w.WriteNumber(piece, t.LogProbability);
            }
            if (seen.Add(pieces[i])) w.WriteNumber(pieces[i], p.LogProbability);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("text_offset");
        int offset = 0;
        foreach (string piece in pieces)
        {
            w.WriteNumberValue(offset);
            offset += piece.Length;
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
