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
    /// <paramref name="firstOffset"/> is where the first piece starts: -1 when the text lacks the space the first
    /// piece carries (a vocabulary's space prefix); offsets never go below 0.
    /// </summary>
    /// <summary>The offset of a prompt's first piece in <paramref name="text"/>: -1 when the pieces hold one character
    /// more than the text and the first begins with the space the text lacks, else 0.</summary>
    public static int FirstOffset(Tokenizer tokenizer, string text, IEnumerable<int> promptTokens)
    {
        string pieces = string.Concat(promptTokens.Select(t => Encoding.UTF8.GetString(tokenizer.Piece(t, renderSpecial: true))));
        return pieces.Length == text.Length + 1 && pieces.StartsWith(' ') && !text.StartsWith(' ') ? -1 : 0;
    }

    public static void Write(Utf8JsonWriter w, Tokenizer tokenizer, IReadOnlyList<(int Token, TokenProbabilities? P)> tokens, int firstOffset = 0)
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
        int offset = firstOffset;
        foreach (string piece in pieces)
        {
            w.WriteNumberValue(Math.Max(offset, 0));
            offset += piece.Length;
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
