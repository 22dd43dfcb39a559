// llama.cpp's answer to a conversation: its chat template, its tokenizer, its greedy generation — the expected chat reply.
using System.Globalization;
using System.Text.Json;
using Weft.Models;

namespace Weft.TestKit;

/// <param name="Text">the reply up to the end of generation or the oracle's first near tie</param>
/// <param name="Exact">false when a near tie cut the reply short: then ours need only start with it</param>
public sealed record ExpectedReply(string Text, bool Exact, int[] PromptIds);

public static class OracleChat
{
    /// <summary>Renders <paramref name="messages"/> with the built-in <paramref name="template"/> in llama.cpp, tokenizes
    /// the prompt there (BOS, special tokens parsed) and generates <paramref name="n"/> greedy tokens.</summary>
    public static ExpectedReply GreedyReply(string model, string template, IReadOnlyList<(string Role, string Content)> messages, int n)
    {
        string json = Path.Combine(Path.GetTempPath(), $"weft-chat-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(json, JsonSerializer.Serialize(messages.Select(m => new Dictionary<string, string> { ["role"] = m.Role, ["content"] = m.Content })));
            var (exit, prompt, err) = Oracle.Run("chat-template", model, "--messages", json, "--template", template);
            if (exit != 0) throw new InvalidOperationException($"refharness chat-template failed: {err}");
            var (exit2, ids, err2) = Oracle.Run("tokenize", model, prompt, "--bos", "--special");
            if (exit2 != 0) throw new InvalidOperationException($"refharness tokenize failed: {err2}");
            int[] promptIds = ids.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var (reply, stepLogits) = Oracle.Generate(model, promptIds, n);
            using var m = Model.Load(model);
            int vocab = m.Config.VocabSize;
            int end = reply.Length;
            bool exact = true;
            for (int i = 0; i < reply.Length; i++)
            {
                if (LogitMetrics.Top2Gap(stepLogits.AsSpan(i * vocab, vocab)) < Tolerances.GreedyTieGap) { end = i; exact = false; break; }
                if (m.Tokenizer.IsEog(reply[i])) { end = i; break; }
            }
            var decoder = m.Tokenizer.CreateStreamingDecoder();
            string text = string.Concat(reply[..end].Select(decoder.Push)) + decoder.Flush();
            return new ExpectedReply(text, exact, promptIds);
        }
        finally
        {
            File.Delete(json);
        }
    }
}
