// The per-request side of generation, one step at a time: sample from the step's logits, stop checks, streaming
// text. Generator drives one of these over a DecoderSession; a batch scheduler drives many over one DecoderBatch.
using System.Text;
using Weft.Inference.Grammar;
using Weft.Inference.Sampling;
using Weft.Inference.Stopping;
using Weft.Models;
using Weft.Tokenizers;

namespace Weft.Inference.Generation;

public sealed class GenerationState
{
    private readonly GenerationRequest _request;
    private readonly Tokenizer? _tokenizer;
    private readonly TokenSink? _sink;
    private readonly SamplerChain _sampler;
    private readonly StreamingDecoder? _decoder;
    private readonly StopStringMatcher? _matcher;
    private readonly List<int> _generated = [];
    private readonly StringBuilder _text = new();
    private readonly List<TokenProbabilities>? _probabilities;
    private readonly ProbabilitySink? _probabilitySink;
    private readonly TokenConstraint? _constraint;
    private readonly float[]? _masked;

    /// <param name="tokenizer">turns tokens into text; null generates ids only (no text, no stop strings).</param>
    /// <param name="probabilitySink">receives each token's log-probabilities when the request asks for them.</param>
    public GenerationState(GenerationRequest request, int vocabSize, Tokenizer? tokenizer, TokenSink? sink, ProbabilitySink? probabilitySink = null)
    {
        _request = request;
        if (request.LogProbabilities is int top)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(top, nameof(request));
            _probabilities = [];
            _probabilitySink = probabilitySink;
        }
        _tokenizer = tokenizer;
        _sink = sink;
        _sampler = new SamplerChain(request.Sampling, vocabSize);
        _decoder = tokenizer?.CreateStreamingDecoder();
        _matcher = request.StopStrings.Count > 0 ? new StopStringMatcher(request.StopStrings) : null;
        if (request.Grammar != null)
        {
            _constraint = new TokenConstraint(request.Grammar, tokenizer ?? throw new ArgumentException("a grammar needs a tokenizer"));
            _masked = new float[vocabSize];
        }
    }

    /// <summary>Throws when <paramref name="request"/> cannot run on a context of <paramref name="contextSize"/> tokens
    /// (the request's own <see cref="GenerationRequest.EffectiveContext"/>).</summary>
    public static void Validate(GenerationRequest request, int vocabSize, int contextSize, Tokenizer? tokenizer)
    {
        var prompt = request.Prompt;
        if (request.ContextSize is < 1) throw new ArgumentException($"the request's context size must be at least 1; got {request.ContextSize}");
        if (prompt.Count == 0) throw new ArgumentException("the prompt is empty");
        if (prompt.Count > contextSize)
            throw new ContextOverflowException($"the prompt has {prompt.Count} tokens but the context holds {contextSize}");
        foreach (int t in prompt)
            if ((uint)t >= (uint)vocabSize) throw new ArgumentException($"token id {t} is outside the vocabulary (0 to {vocabSize - 1})");
        if (request.StopStrings.Count > 0 && tokenizer == null)
            throw new ArgumentException("stop strings need a tokenizer");
        if (request.Grammar != null && tokenizer == null)
            throw new ArgumentException("a grammar needs a tokenizer");
    }

    public GenerationRequest Request => _request;
    public IReadOnlyList<int> Generated => _generated;
    public bool Done { get; private set; }
    public FinishReason Finish { get; private set; } = FinishReason.Length;

    /// <summary>
    /// One step: samples a token from <paramref name="logits"/> (the last evaluated position's; <paramref name="history"/>
    /// is every token in the cache), streams it, and checks the stop conditions. Returns the token to evaluate next,
    /// or -1 when generation has ended (then call <see cref="Complete"/>). <paramref name="contextFull"/>: the cache
    /// has no room for another token.
    /// </summary>
    public int Step(ReadOnlySpan<float> logits, ReadOnlySpan<int> history, bool contextFull, CancellationToken cancel)
    {
        if (Done) return -1;
        if (_generated.Count >= _request.MaxTokens) return End(FinishReason.Length);
        if (cancel.IsCancellationRequested) return End(FinishReason.Cancelled);
        int token;
        if (_constraint != null)
        {
            // nothing but an end is allowed (complete), or nothing at all (the vocabulary cannot spell what must follow)
            if (_constraint.ContinuationCount == 0) return End(FinishReason.EndOfGeneration);
            _constraint.Apply(logits, _masked!);
            token = _sampler.Sample(_masked!, history);
            if (_tokenizer!.IsEog(token)) return End(FinishReason.EndOfGeneration);
            if (!_constraint.Accept(token)) throw new InvalidOperationException($"the grammar refused token {token}, which its mask allowed");
        }
        else token = _sampler.Sample(logits, history);
        if (_request.StopAtEndOfGeneration && _tokenizer != null && _tokenizer.IsEog(token)) return End(FinishReason.EndOfGeneration);
        _generated.Add(token);
        if (_probabilities != null)
        {
            var p = Probabilities(logits, token, _request.LogProbabilities!.Value);
            _probabilities.Add(p);
            _probabilitySink?.Invoke(p);
        }
        string piece = _decoder?.Push(token) ?? "";
        if (_matcher != null)
        {
            var r = _matcher.Append(piece);
            _text.Append(r.Text);
            _sink?.Invoke(token, r.Text);
            if (r.Stopped) return End(FinishReason.StopString);
        }
        else
        {
            _text.Append(piece);
            _sink?.Invoke(token, piece);
        }
        if (_generated.Count == _request.MaxTokens) return End(FinishReason.Length);
        if (contextFull) return End(FinishReason.ContextFull);
        return token;
    }

    /// <summary>
    /// The token's log-probability and the <paramref name="top"/> most likely tokens under log_softmax(logits): the
    /// natural log of each token's probability in the model's full distribution over the raw logits, before the
    /// sampler chain (penalties, temperature, top-k/top-p/min-p) changes anything.
    /// </summary>
    public static TokenProbabilities Probabilities(ReadOnlySpan<float> logits, int token, int top)
    {
        var best = new TokenLogProbability[Math.Min(top, logits.Length)];
        LogProbabilities.Top(logits, best);
        return new TokenProbabilities(token, LogProbabilities.Of(logits, token), best);
    }

    /// <summary>Ends generation early (the caller cancelled between steps).</summary>
    public void Cancel()
    {
        if (!Done) End(FinishReason.Cancelled);
    }

    private int End(FinishReason finish)
    {
        Finish = finish;
        Done = true;
        return -1;
    }

    /// <summary>Releases the text held back for UTF-8 or stop-string checks and returns the result.</summary>
    public GenerationResult Complete(int promptTokens, TimeSpan promptTime, TimeSpan generationTime)
    {
        Done = true;
        if (Finish != FinishReason.StopString && _decoder != null)
        {
            string tail = _decoder.Flush();
            if (_matcher != null)
            {
                var r = _matcher.Append(tail);
                string rest = r.Stopped ? r.Text : r.Text + _matcher.Flush();
                if (r.Stopped) Finish = FinishReason.StopString;
                _text.Append(rest);
                if (rest.Length > 0) _sink?.Invoke(-1, rest);
            }
            else if (tail.Length > 0)
            {
                _text.Append(tail);
                _sink?.Invoke(-1, tail);
            }
        }
        return new GenerationResult(_generated, _text.ToString(), Finish, promptTokens, promptTime, generationTime) { Probabilities = _probabilities };
    }
}
