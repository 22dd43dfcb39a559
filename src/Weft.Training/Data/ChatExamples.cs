// Chat rows {"messages": [{"role", "content"}, …]} rendered with the model's chat template; the loss covers the
// assistant turns only: each assistant message's tokens and the template's end-of-turn after it (whitespace that
// follows the end of turn is left out), everything else is context. The template engine lives in Inference, which
// Training may not use, so the caller passes the rendering in.
using System.Text.Json;
using Weft.Tokenizers;
using Weft.Training.Modeling;

namespace Weft.Training.Data;

/// <summary>One message of a conversation.</summary>
public sealed record ChatTurn(string Role, string Content);

/// <summary>The conversation as the chat template writes it; with <paramref name="addGenerationPrompt"/>, followed by
/// the opening of an assistant turn.</summary>
public delegate string ChatRenderer(IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt);

public static class ChatExamples
{
    public static readonly IReadOnlyList<string> Roles = ["system", "user", "assistant"];

    /// <summary>The messages of a row's "messages" array; <paramref name="where"/> ("file:line") starts every error.</summary>
    public static List<ChatTurn> ReadMessages(JsonElement messages, string where)
    {
        if (messages.ValueKind != JsonValueKind.Array) throw new TrainingDataException($"{where}: \"messages\" must be an array, got {messages.ValueKind}");
        var turns = new List<ChatTurn>();
        int i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object) throw new TrainingDataException($"{where}: message {i} must be an object with \"role\" and \"content\"");
            string role = Text(m, "role", i, where);
            if (!Roles.Contains(role)) throw new TrainingDataException($"{where}: message {i} has role '{role}' (expected {string.Join(", ", Roles)})");
            turns.Add(new ChatTurn(role, Text(m, "content", i, where)));
            i++;
        }
        if (turns.Count == 0) throw new TrainingDataException($"{where}: \"messages\" is empty");
        if (!turns.Any(t => t.Role == "assistant")) throw new TrainingDataException($"{where}: no assistant message, so nothing to learn");
        return turns;
    }

    private static string Text(JsonElement m, string field, int index, string where)
    {
        if (!m.TryGetProperty(field, out var v)) throw new TrainingDataException($"{where}: message {index} has no \"{field}\"");
        return v.ValueKind == JsonValueKind.String ? v.GetString()!
            : throw new TrainingDataException($"{where}: message {index}: \"{field}\" must be a string, got {v.ValueKind}");
    }

    /// <summary>
    /// The conversation's tokens (BOS once when the vocabulary asks for it, special-token texts parsed) and its loss
    /// mask: true exactly on the tokens of the assistant turns. Turn k's text is what rendering messages 0..k adds to
    /// rendering 0..k-1 with the generation prompt; the template must render the conversation prefix by prefix.
    /// </summary>
    public static TrainingExample Build(IReadOnlyList<ChatTurn> messages, ChatRenderer render, Tokenizer tokenizer, string where)
    {
        string full = Render(render, messages, false, where);
        var spans = new List<(int Start, int End)>();
        for (int k = 0; k < messages.Count; k++)
        {
            if (messages[k].Role != "assistant") continue;
            string before = Render(render, messages.Take(k).ToList(), true, where);
            string through = Render(render, messages.Take(k + 1).ToList(), false, where);
            if (!through.StartsWith(before, StringComparison.Ordinal) || !full.StartsWith(through, StringComparison.Ordinal)
                || (spans.Count > 0 && before.Length < spans[^1].End))
                throw new TrainingDataException($"{where}: the chat template does not render this conversation turn by turn "
                    + $"(message {k}: the text before it is not a prefix of the text with it), so its assistant turns cannot be found");
            int end = through.Length;
            while (end > before.Length && char.IsWhiteSpace(through[end - 1])) end--;
            spans.Add((before.Length, end));
        }

        var ids = Encode(tokenizer, full);
        var mask = new bool[ids.Length];
        foreach (var (start, end) in spans)
        {
            int first = TokensBefore(tokenizer, full, start, ids, straddling: false);
            int last = TokensBefore(tokenizer, full, end, ids, straddling: true);
            for (int i = first; i < last; i++) mask[i] = true;
        }
        return new TrainingExample(ids, mask);
    }

    private static string Render(ChatRenderer render, IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt, string where)
    {
        try
        {
            return render(messages, addGenerationPrompt);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new TrainingDataException($"{where}: the chat template failed on this row: {e.Message}");
        }
    }

    /// <summary>Ids of rendered text: special-token texts parsed, BOS prepended once when the vocabulary asks for it.</summary>
    private static int[] Encode(Tokenizer tokenizer, string text)
    {
        var ids = tokenizer.Encode(text, addSpecial: false, parseSpecial: true);
        if (!tokenizer.AddBos || tokenizer.Bos < 0 || (ids.Length > 0 && ids[0] == tokenizer.Bos)) return ids;
        return [tokenizer.Bos, .. ids];
    }

    /// <summary>
    /// How many tokens of <paramref name="ids"/> the text before <paramref name="offset"/> covers: the tokens its own
    /// encoding shares with the whole one. A token that straddles the offset counts when <paramref name="straddling"/>.
    /// </summary>
    private static int TokensBefore(Tokenizer tokenizer, string full, int offset, int[] ids, bool straddling)
    {
        var head = Encode(tokenizer, full[..offset]);
        int n = 0;
        while (n < head.Length && n < ids.Length && head[n] == ids[n]) n++;
        return straddling && n < head.Length ? Math.Min(n + 1, ids.Length) : n;
    }
}
