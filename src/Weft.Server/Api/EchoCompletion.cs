// The whole answer of /v1/completions for several prompts, for echo (the prompt repeated, with the log-probabilities
// of its own tokens: lm-evaluation-harness's loglikelihood requests) and for max_tokens 0 (scoring only).
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

internal static class EchoCompletion
{
    /// <summary>One choice: its text and, when asked for, one log-probability entry per token (null: a token with
    /// nothing before it to be scored by).</summary>
    private sealed record Answer(string Text, List<(int Token, TokenProbabilities? P)>? Tokens, string Finish, int PromptTokens, int Generated, int FirstOffset = 0);

    /// <summary>Answers every prompt in order (choice index = prompt index). The prompt is scored on the model's side
    /// session, from the logits of every position; generation goes through the scheduler as any request.</summary>
    public static async Task RespondAsync(HttpContext http, LoadedModel model, string modelId, JsonRequest body,
        IReadOnlyList<CompletionPrompt> prompts, bool echo, int? logProbabilities, ServerMetrics metrics)
    {
        var requests = prompts.Select(p => WeftFields.CompletionRequest(body, model, () => p.Ids, logProbabilities)).ToList();
        for (int i = 0; i < prompts.Count; i++)
        {
            int context = requests[i].EffectiveContext(model.ContextSize);
            if (prompts[i].Ids.Length > context)
                throw ApiException.BadRequest(
                    $"prompt {i} has {prompts[i].Ids.Length} tokens but the context of '{modelId}' holds {context}; shorten it",
                    "prompt", "context_length_exceeded");
        }
        var answers = new List<Answer>(prompts.Count);
        for (int i = 0; i < prompts.Count; i++)
            answers.Add(await AnswerAsync(model, prompts[i], requests[i], echo, logProbabilities, metrics, http.RequestAborted));

        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await Json.WriteAsync(http.Response, w =>
        {
            w.WriteStartObject();
            w.WriteString("id", "cmpl-" + Guid.NewGuid().ToString("N"));
            w.WriteString("object", "text_completion");
            w.WriteNumber("created", created);
            w.WriteString("model", modelId);
            w.WriteStartArray("choices");
            for (int i = 0; i < answers.Count; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("index", i);
                w.WriteString("text", answers[i].Text);
                if (answers[i].Tokens is { } tokens) LegacyLogProbabilities.Write(w, model.Tokenizer, tokens, answers[i].FirstOffset);
                else w.WriteNull("logprobs");
                w.WriteString("finish_reason", answers[i].Finish);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            int promptTokens = answers.Sum(a => a.PromptTokens), generated = answers.Sum(a => a.Generated);
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", promptTokens);
            w.WriteNumber("completion_tokens", generated);
            w.WriteNumber("total_tokens", promptTokens + generated);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>One token, decoded greedily from the raw logits: no penalty and no stop string can change it.</summary>
    private static bool OneGreedyToken(GenerationRequest r) =>
        r.MaxTokens == 1 && r.Sampling.IsGreedy && r.Sampling.PenaltiesDisabled && r.StopStrings.Count == 0;

    private static async Task<Answer> AnswerAsync(LoadedModel model, CompletionPrompt prompt, GenerationRequest request, bool echo,
        int? logProbabilities, ServerMetrics metrics, CancellationToken cancel)
    {
        List<(int, TokenProbabilities?)>? tokens = logProbabilities != null ? [] : null;
        PromptScore? score = null;
        if (echo && tokens != null)
        {
            score = await model.ScoreAsync(prompt.Ids, logProbabilities!.Value, cancel);
            for (int t = prompt.Added; t < prompt.Ids.Length; t++) tokens.Add((prompt.Ids[t], score.Tokens[t]));
        }
        var text = new StringBuilder(echo ? prompt.Text : "");
        int first = score != null ? LegacyLogProbabilities.FirstOffset(model.Tokenizer, prompt.Text, prompt.Ids.Skip(prompt.Added)) : 0;
        if (request.MaxTokens == 0) return new Answer(text.ToString(), tokens, "length", prompt.Ids.Length, 0, first);
        if (score != null && OneGreedyToken(request) && !model.Tokenizer.IsEog(score.Next.Token)
            && prompt.Ids.Length < request.EffectiveContext(model.ContextSize))
        {
            // lm-evaluation-harness's loglikelihood request (echo, max_tokens 1, temperature 0): the scoring pass already
            // holds the logits after the prompt, and greedy decoding picks their most likely token
            var decoder = model.Tokenizer.CreateStreamingDecoder();
            text.Append(decoder.Push(score.Next.Token)).Append(decoder.Flush());
            tokens!.Add((score.Next.Token, score.Next));
            return new Answer(text.ToString(), tokens, "length", prompt.Ids.Length, 1, first);
        }
        var r = await GenerationCall.RunAsync(model, request, null, cancel);
        metrics.Generated(r);
        text.Append(r.Text);
        if (tokens != null && r.Probabilities != null) tokens.AddRange(r.Probabilities.Select(p => (p.Token, (TokenProbabilities?)p)));
        return new Answer(text.ToString(), tokens, GenerationCall.FinishReasonText(r.Finish), r.PromptTokens, r.Tokens.Count, first);
    }
}
