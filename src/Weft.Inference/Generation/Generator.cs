// The generation loop: evaluate the prompt (reusing the cached prefix it shares with the previous turn),
// then sample, stream and evaluate one token at a time until a stop condition.
using System.Diagnostics;
using Weft.Inference.Sampling;
using Weft.Inference.Stopping;
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tokenizers;

namespace Weft.Inference.Generation;

/// <summary>Receives each generated token with the text that became safe to show with it (possibly empty);
/// token is -1 for text released at the end.</summary>
public delegate void TokenSink(int token, string text);

public sealed class Generator
{
    private readonly DecoderSession _session;
    private readonly Tokenizer? _tokenizer;
    private readonly float[] _logits;
    private readonly int[] _history;
    private int _historyLength;

    /// <param name="tokenizer">turns tokens into text; null generates ids only (no text, no stop strings).</param>
    public Generator(DecoderSession session, Tokenizer? tokenizer)
    {
        _session = session;
        _tokenizer = tokenizer;
        _logits = new float[session.Model.Config.VocabSize];
        _history = new int[session.ContextSize];
    }

    public DecoderSession Session => _session;

    /// <summary>Tokens in the KV cache, oldest first.</summary>
    public ReadOnlySpan<int> History => _history.AsSpan(0, _historyLength);

    public GenerationResult Generate(GenerationRequest request, TokenSink? sink = null, CancellationToken cancel = default)
    {
        int vocab = _session.Model.Config.VocabSize;
        var prompt = request.Prompt;
        if (prompt.Count == 0) throw new ArgumentException("the prompt is empty");
        if (prompt.Count > _session.ContextSize)
            throw new ContextOverflowException($"the prompt has {prompt.Count} tokens but the context holds {_session.ContextSize}");
        foreach (int t in prompt)
            if ((uint)t >= (uint)vocab) throw new ArgumentException($"token id {t} is outside the vocabulary (0 to {vocab - 1})");
        if (request.StopStrings.Count > 0 && _tokenizer == null)
            throw new ArgumentException("stop strings need a tokenizer");

        var clock = Stopwatch.StartNew();
        EvaluatePrompt(prompt);
        var promptTime = clock.Elapsed;
        clock.Restart();

        var sampler = new SamplerChain(request.Sampling, vocab);
        var decoder = _tokenizer?.CreateStreamingDecoder();
        var matcher = request.StopStrings.Count > 0 ? new StopStringMatcher(request.StopStrings) : null;
        var generated = new List<int>();
        var text = new System.Text.StringBuilder();
        var finish = FinishReason.Length;
        int[] one = new int[1];
        while (generated.Count < request.MaxTokens)
        {
            if (cancel.IsCancellationRequested) { finish = FinishReason.Cancelled; break; }
            int token = sampler.Sample(_logits, History);
            if (request.StopAtEndOfGeneration && _tokenizer != null && _tokenizer.IsEog(token)) { finish = FinishReason.EndOfGeneration; break; }
            generated.Add(token);
            string piece = decoder?.Push(token) ?? "";
            if (matcher != null)
            {
                var r = matcher.Append(piece);
                text.Append(r.Text);
                sink?.Invoke(token, r.Text);
                if (r.Stopped) { finish = FinishReason.StopString; break; }
            }
            else
            {
                text.Append(piece);
                sink?.Invoke(token, piece);
            }
            if (generated.Count == request.MaxTokens) break;
            if (_session.Position >= _session.ContextSize) { finish = FinishReason.ContextFull; break; }
            one[0] = token;
            _session.Evaluate(one, _logits);
            _history[_historyLength++] = token;
        }
        if (finish != FinishReason.StopString && decoder != null)
        {
            string tail = decoder.Flush();
            if (matcher != null)
            {
                var r = matcher.Append(tail);
                string rest = r.Stopped ? r.Text : r.Text + matcher.Flush();
                if (r.Stopped) finish = FinishReason.StopString;
                text.Append(rest);
                if (rest.Length > 0) sink?.Invoke(-1, rest);
            }
            else if (tail.Length > 0)
            {
                text.Append(tail);
                sink?.Invoke(-1, tail);
            }
        }
        return new GenerationResult(generated, text.ToString(), finish, prompt.Count, promptTime, clock.Elapsed);
    }

    /// <summary>Evaluates the prompt, keeping the part of the KV cache it shares with what is cached.</summary>
    private void EvaluatePrompt(IReadOnlyList<int> prompt)
    {
        int common = 0;
        while (common < _historyLength && common < prompt.Count && _history[common] == prompt[common]) common++;
        if (common == prompt.Count) common--; // the last prompt token is evaluated again for its logits
        _session.Truncate(common);
        _historyLength = common;
        var rest = new int[prompt.Count - common];
        for (int i = 0; i < rest.Length; i++) rest[i] = prompt[common + i];
        _session.Evaluate(rest, _logits);
        rest.CopyTo(_history, common);
        _historyLength = prompt.Count;
    }

    /// <summary>Forgets the cache (the next prompt is evaluated from scratch).</summary>
    public void Reset()
    {
        _session.Reset();
        _historyLength = 0;
    }
}
