// Training data: JSONL rows {"prompt", "completion"} (loss on the completion and EOS only), {"messages"} (chat, loss
// on the assistant turns: ChatExamples) or {"text"}, and plain text cut into windows. Malformed rows are reported
// with their file and line.
using System.Text.Json;
using Weft.Tokenizers;
using Weft.Training.Modeling;

namespace Weft.Training.Data;

/// <summary>The failure domain "this training file cannot be used": names the source and line.</summary>
public sealed class TrainingDataException(string message) : Exception(message);

public static class TrainingData
{
    /// <summary>A .jsonl file row by row, anything else as plain text.</summary>
    /// <param name="chat">renders {"messages"} rows with the model's chat template; such rows are refused without it.</param>
    public static List<TrainingExample> Load(string path, Tokenizer tokenizer, int maxTokens, ChatRenderer? chat = null)
    {
        if (!File.Exists(path)) throw new TrainingDataException($"{path}: no such file");
        using var reader = File.OpenText(path);
        return path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)
            ? ReadJsonl(reader, tokenizer, maxTokens, path, chat)
            : ReadText(reader.ReadToEnd(), tokenizer, maxTokens);
    }

    /// <param name="maxTokens">longer rows are cut to this many tokens.</param>
    public static List<TrainingExample> ReadJsonl(TextReader reader, Tokenizer tokenizer, int maxTokens, string source = "<input>", ChatRenderer? chat = null)
    {
        var examples = new List<TrainingExample>();
        int line = 0;
        for (string? text = reader.ReadLine(); text != null; text = reader.ReadLine())
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                throw new TrainingDataException($"{source}:{line}: not valid JSON ({e.Message})");
            }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new TrainingDataException($"{source}:{line}: expected a JSON object, got {root.ValueKind}");
                string? prompt = Field(root, "prompt", source, line);
                string? completion = Field(root, "completion", source, line);
                string? plain = Field(root, "text", source, line);
                TrainingExample example;
                if (root.TryGetProperty("messages", out var messages))
                {
                    string where = $"{source}:{line}";
                    if (prompt != null || completion != null || plain != null)
                        throw new TrainingDataException($"{where}: a row has \"messages\" or \"prompt\"/\"completion\" or \"text\", not several");
                    var turns = ChatExamples.ReadMessages(messages, where);
                    if (chat == null) throw new TrainingDataException($"{where}: chat rows need a chat template, and none was given");
                    example = ChatExamples.Build(turns, chat, tokenizer, where);
                }
                else if (prompt != null || completion != null)
                {
                    if (prompt == null || completion == null)
                        throw new TrainingDataException($"{source}:{line}: a row needs both \"prompt\" and \"completion\"");
                    example = PromptCompletion(tokenizer, prompt, completion);
                }
                else if (plain != null) example = TrainingExample.AllTokens(tokenizer.Encode(plain, addSpecial: true, parseSpecial: false));
                else throw new TrainingDataException($"{source}:{line}: expected \"messages\", \"prompt\" and \"completion\", or \"text\"");
                example = Cut(example, maxTokens);
                if (!example.LossMask.Any(m => m))
                    throw new TrainingDataException($"{source}:{line}: nothing to learn (empty completion, or the context before it fills all {maxTokens} tokens)");
                examples.Add(example);
            }
        }
        if (examples.Count == 0) throw new TrainingDataException($"{source}: no training rows");
        return examples;
    }

    private static string? Field(JsonElement root, string name, string source, int line)
    {
        if (!root.TryGetProperty(name, out var v)) return null;
        return v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : throw new TrainingDataException($"{source}:{line}: \"{name}\" must be a string, got {v.ValueKind}");
    }

    /// <summary>BOS + prompt, then completion + EOS; only the completion and EOS count in the loss.</summary>
    public static TrainingExample PromptCompletion(Tokenizer tokenizer, string prompt, string completion)
    {
        var p = tokenizer.Encode(prompt, addSpecial: true, parseSpecial: false);
        var c = tokenizer.Encode(completion, addSpecial: false, parseSpecial: false).ToList();
        if (tokenizer.Eos >= 0) c.Add(tokenizer.Eos);
        var tokens = p.Concat(c).ToArray();
        var mask = new bool[tokens.Length];
        for (int i = p.Length; i < tokens.Length; i++) mask[i] = true;
        return new TrainingExample(tokens, mask);
    }

    /// <summary>Plain text: BOS + the whole text, cut into windows of <paramref name="maxTokens"/> tokens (each predicts every token but its first).</summary>
    public static List<TrainingExample> ReadText(string text, Tokenizer tokenizer, int maxTokens)
    {
        if (maxTokens < 2) throw new ArgumentOutOfRangeException(nameof(maxTokens), "windows need at least two tokens");
        var ids = tokenizer.Encode(text, addSpecial: true, parseSpecial: false);
        var examples = new List<TrainingExample>();
        // Windows overlap by one token so that every token after the first is predicted exactly once.
        for (int start = 0; start + 1 < ids.Length; start += maxTokens - 1)
            examples.Add(TrainingExample.AllTokens(ids[start..Math.Min(ids.Length, start + maxTokens)]));
        if (examples.Count == 0) throw new TrainingDataException("the text has fewer than two tokens");
        return examples;
    }

    private static TrainingExample Cut(TrainingExample e, int maxTokens) =>
        e.Tokens.Length <= maxTokens ? e : new TrainingExample(e.Tokens[..maxTokens], e.LossMask[..maxTokens]);
}
