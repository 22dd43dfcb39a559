// The generation loop: evaluate the prompt (reusing the cached prefix it shares with the previous turn),
// then sample, stream and evaluate one token at a time until a stop condition.
using System.Diagnostics;
using Weft.Inference.Sampling;
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

    public GenerationResult Generate(GenerationRequest request, TokenSink? sink = null, ProbabilitySink? probabilities = null, CancellationToken cancel = default)
    {
        int vocab = _session.Model.Config.VocabSize;
        int context = request.EffectiveContext(_session.ContextSize);
        GenerationState.Validate(request, vocab, context, _tokenizer);

        var clock = Stopwatch.StartNew();
        EvaluatePrompt(request.Prompt);
        var promptTime = clock.Elapsed;
        clock.Restart();

        var state = new GenerationState(request, vocab, _tokenizer, sink, probabilities);
        int[] one = new int[1];
        while (true)
        {
            int token = state.Step(_logits, History, _session.Position >= context, cancel);
            if (token < 0) break;
            one[0] = token;
            _session.Evaluate(one, _logits);
            _history[_historyLength++] = token;
        }
        return state.Complete(request.Prompt.Count, promptTime, clock.Elapsed);
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
