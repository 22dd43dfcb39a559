// Chat rows {"messages": […]}: rendered with a chat template, loss exactly on the assistant turns (content and the
// end-of-turn after it), checked by decoding the masked and unmasked tokens; malformed rows name their line.
using Weft.Inference.Chat;
using Weft.Inference.Templates;
using Weft.Models;
using Weft.Models.Synthetic;
using Weft.TestKit;
using Weft.Tokenizers;
using Weft.Training.Data;
using Weft.Training.Modeling;

namespace Weft.Training.Tests;

public sealed class ChatDataTests
{
    private const string Row = """{"messages": [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Name a colour."}, {"role": "assistant", "content": "Teal."}, {"role": "user", "content": "Another one?"}, {"role": "assistant", "content": "Ochre, then."}]}""";

    /// <summary>ChatML written out by hand: the exact text each turn adds is known.</summary>
    private static string ChatMl(IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt) =>
        string.Concat(messages.Select(m => $"<|im_start|>{m.Role}\n{m.Content}<|im_end|>\n")) + (addGenerationPrompt ? "<|im_start|>assistant\n" : "");

    private static Tokenizer SyntheticTokenizer()
    {
        using var m = Model.Load(TinyModels.Write(EngineAgreementTests.Spec));
        return m.Tokenizer;
    }

    /// <summary>The maximal runs of tokens with the given mask value, each decoded.</summary>
    private static List<string> Runs(Tokenizer tok, TrainingExample e, bool masked)
    {
        var runs = new List<string>();
        for (int i = 0; i < e.Tokens.Length;)
        {
            if (e.LossMask[i] != masked) { i++; continue; }
            int j = i;
            while (j < e.Tokens.Length && e.LossMask[j] == masked) j++;
            runs.Add(tok.Decode(e.Tokens[i..j], renderSpecial: true));
            i = j;
        }
        return runs;
    }

    [Fact]
    public void The_loss_covers_exactly_the_assistant_turns_and_their_end_of_turn()
    {
        var tok = SyntheticTokenizer();
        var rows = TrainingData.ReadJsonl(new StringReader(Row + "\n"), tok, 512, "chat.jsonl", ChatMl);
        var e = Assert.Single(rows);
        Assert.Equal(["Teal.<|im_end|>", "Ochre, then.<|im_end|>"], Runs(tok, e, masked: true));
        var context = Runs(tok, e, masked: false);
        Assert.Equal(3, context.Count);
        Assert.EndsWith("<|im_start|>system\nBe terse.<|im_end|>\n<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n", context[0]);
        Assert.Equal("\n<|im_start|>user\nAnother one?<|im_end|>\n<|im_start|>assistant\n", context[1]);
        Assert.Equal("\n", context[2]);
        // the whole row is the template's rendering of the conversation
        Assert.EndsWith(ChatMl(ChatExamples.ReadMessages(System.Text.Json.JsonDocument.Parse(Row).RootElement.GetProperty("messages"), "x"), false),
            tok.Decode(e.Tokens, renderSpecial: true));
    }

    [Theory]
    [InlineData("llama2")]
    [InlineData("mistral")]
    [InlineData("chatml")]
    [InlineData("llama3")]
    [InlineData("zephyr")]
    public void Built_in_templates_mask_the_assistant_text_only(string template)
    {
        using var m = Model.Load(TinyModels.Write(new SyntheticModelSpec { Name = "chat-data", Embedding = 32, Heads = 2, KvHeads = 1, FeedForward = 64, Seed = 4 }.WithLlamaVocabulary()));
        var formatter = ChatFormatter.ForModel(m, template);
        string Render(IReadOnlyList<ChatTurn> turns, bool gen) => formatter.Render([.. turns.Select(t => ChatMessage.Text(t.Role, t.Content))], gen);
        var e = Assert.Single(TrainingData.ReadJsonl(new StringReader(Row), m.Tokenizer, 512, "chat.jsonl", Render));
        string learned = string.Concat(Runs(m.Tokenizer, e, masked: true));
        string context = string.Concat(Runs(m.Tokenizer, e, masked: false));
        Assert.Contains("Teal.", learned);
        Assert.Contains("Ochre, then.", learned);
        Assert.Contains("Name a colour.", context);
        Assert.Contains("Another one?", context);
        Assert.DoesNotContain("colour", learned);
        Assert.DoesNotContain("Another", learned);
        Assert.DoesNotContain("Teal", context);
        Assert.DoesNotContain("Ochre", context);
        // the tokens are the chat formatter's own for the whole conversation
        Assert.Equal(formatter.Tokens([.. ChatExamples.ReadMessages(System.Text.Json.JsonDocument.Parse(Row).RootElement.GetProperty("messages"), "x")
            .Select(t => ChatMessage.Text(t.Role, t.Content))], addGenerationPrompt: false), e.Tokens);
        // each assistant run takes in the template's end of turn, which the model must learn to produce (this vocabulary
        // has no tokens for chatml/llama3/zephyr markers, so a text token may straddle the end; llama2's </s> is EOS)
        string end = template switch { "llama2" or "mistral" => "</s>", "chatml" => "<|im_end|>", "llama3" => "<|eot_id|>", _ => "<|endoftext|>" };
        Assert.All(Runs(m.Tokenizer, e, masked: true), run => Assert.Contains(end, run));
        if (template is "llama2" or "mistral") Assert.All(Runs(m.Tokenizer, e, masked: true), run => Assert.EndsWith(end, run));
    }

    [Theory]
    [InlineData("{\"messages\": \"hi\"}", "\"messages\" must be an array")]
    [InlineData("{\"messages\": []}", "\"messages\" is empty")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "no assistant message")]
    [InlineData("{\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]}", "message 0 has role 'robot'")]
    [InlineData("{\"messages\": [{\"role\": \"user\"}, {\"role\": \"assistant\", \"content\": \"b\"}]}", "message 0 has no \"content\"")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": 3}]}", "\"content\" must be a string")]
    [InlineData("{\"messages\": [7]}", "message 0 must be an object")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}], \"text\": \"b\"}", "not several")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"}]", "not valid JSON")]
    public void Malformed_chat_rows_name_their_line(string bad, string message)
    {
        string good = """{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}""";
        var e = Assert.Throws<TrainingDataException>(() =>
            TrainingData.ReadJsonl(new StringReader($"{good}\n\n{bad}\n"), SyntheticTokenizer(), 512, "chat.jsonl", ChatMl));
        Assert.StartsWith("chat.jsonl:3: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Chat_rows_without_a_template_and_templates_that_fail_are_reported()
    {
        var tok = SyntheticTokenizer();
        var e = Assert.Throws<TrainingDataException>(() => TrainingData.ReadJsonl(new StringReader(Row), tok, 512, "c.jsonl"));
        Assert.StartsWith("c.jsonl:1: chat rows need a chat template", e.Message);
        e = Assert.Throws<TrainingDataException>(() => TrainingData.ReadJsonl(new StringReader(Row), tok, 512, "c.jsonl", (_, _) => throw new InvalidOperationException("boom")));
        Assert.StartsWith("c.jsonl:1: the chat template failed on this row: boom", e.Message);
        // a template that drops earlier turns (not prefix by prefix) cannot locate the assistant turns
        e = Assert.Throws<TrainingDataException>(() => TrainingData.ReadJsonl(new StringReader(Row), tok, 512, "c.jsonl", (ms, gen) => ChatMl(ms.TakeLast(1).ToList(), gen)));
        Assert.Contains("turn by turn", e.Message);
    }
}
