// A GGUF file or checkpoint folder (with optional LoRA adapters) evaluated in this process.
using System.Security.Cryptography;
using System.Text;
using Weft.Inference.Generation;
using Weft.Inference.Sampling;
using Weft.Models;
using Weft.Models.Adapters;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;
using Weft.Tokenizers;

namespace Weft.Evaluation.Models;

public sealed class LocalEvalModel : ITokenLevelModel
{
    private readonly WorkerPool _pool;
    private readonly PrefixBatcher _batcher;
    private readonly Tokenizer _tok;
    private string? _fingerprint;

    public string Name { get; }
    public string Kind => "local";
    public string Path { get; }
    public Model Model { get; }
    /// <summary>Input positions one request may use: the model's training context, at most <see cref="MaxWindow"/>.</summary>
    public int Window { get; }
    public int VocabSize => Model.Config.VocabSize;
    public int Bos => _tok.Bos;
    public bool AddsBos => _tok.AddBos;

    /// <summary>Tokens run through the model by scoring so far (log-likelihood, rolling and sequence scoring; a context
    /// shared by several requests counts once): the work behind <see cref="Running.ScoringSpeed"/>.</summary>
    public long TokensEvaluated => _batcher.FedTokens;

    /// <summary>The default cap on a request's window (lm-evaluation-harness's max_length for long-context models).</summary>
    public const int MaxWindow = 4096;

    /// <param name="window">input positions per request (0: the model's training context, at most 4096)</param>
    /// <param name="slots">sequences scored side by side in one forward pass</param>
    public LocalEvalModel(string path, IReadOnlyList<LoraSpec>? adapters = null, int threads = 0, int window = 0,
        int slots = 8, string? name = null)
    {
        Path = path;
        try
        {
            Model = Model.Load(path, adapters ?? []);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new EvalModelException($"{path}: {e.Message}", e);
        }
        _pool = new WorkerPool(threads > 0 ? threads : WorkerPool.DefaultThreadCount);
        _tok = Model.Tokenizer;
        Window = window > 0 ? window : Math.Min(Model.Config.TrainContextLength, MaxWindow);
        _batcher = new PrefixBatcher(Model, _pool, slots, passTokens: 512);
        Name = name ?? DefaultName(path, adapters ?? []);
    }

    public static string DefaultName(string path, IReadOnlyList<LoraSpec> adapters)
    {
        string stem(string p) => System.IO.Path.GetFileNameWithoutExtension(p.TrimEnd('/', '\\'));
        var name = stem(path);
        foreach (var a in adapters) name += "+" + stem(a.Path) + (a.Scale == 1f ? "" : FormattableString.Invariant($"@{a.Scale}"));
        return name;
    }

    public int[] Tokenize(string text, bool addBos)
    {
        var ids = _tok.Encode(text, addSpecial: false, parseSpecial: false);
        return addBos && _tok.AddBos && _tok.Bos >= 0 ? [_tok.Bos, .. ids] : ids;
    }

    /// <summary>lm-evaluation-harness's split of a (context, continuation) pair: whole = tokens(context + continuation),
    /// ctx = tokens(context), the continuation is whole[len(ctx):]; trailing spaces of the context move to the
    /// continuation; BOS first when the vocabulary adds one (else, for an empty context, the end-of-text token).</summary>
    public TokenRequest Split(LoglikelihoodRequest r)
    {
        string context = r.Context, continuation = r.Continuation;
        int spaces = context.Length - context.TrimEnd().Length;
        if (spaces > 0)
        {
            continuation = context[^spaces..] + continuation;
            context = context[..^spaces];
        }
        int[] lead = PrefixTokens();
        if (context.Length == 0) return new TokenRequest([.. lead, .. _tok.Encode(continuation, false, false)], lead.Length);
        var whole = _tok.Encode(context + continuation, false, false);
        int ctx = Math.Min(_tok.Encode(context, false, false).Length, whole.Length);
        return new TokenRequest([.. lead, .. whole], lead.Length + ctx);
    }

    /// <summary>BOS when the vocabulary adds one; otherwise nothing (a context of its own leads), or for an empty
    /// context the prefix token lm-evaluation-harness uses (BOS, else EOS).</summary>
    private int[] PrefixTokens()
    {
        if (_tok.AddBos && _tok.Bos >= 0) return [_tok.Bos];
        return [];
    }

    private int PrefixToken() => _tok.Bos >= 0 ? _tok.Bos : _tok.Eos >= 0 ? _tok.Eos : 0;

    public IReadOnlyList<LoglikelihoodResult> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, Action<int>? progress = null, CancellationToken cancel = default)
    {
        var tokens = new TokenRequest[requests.Count];
        for (int i = 0; i < tokens.Length; i++)
        {
            var t = Split(requests[i]);
            if (t.Prefix == 0) t = new TokenRequest([PrefixToken(), .. t.Tokens], 1);
            tokens[i] = t.FitTo(Window);
        }
        return Score(tokens, progress, cancel);
    }

    /// <summary>Scores token requests: the summed log-probability of each request's scored tokens and whether each
    /// was the argmax (ties to the lowest id).</summary>
    public IReadOnlyList<LoglikelihoodResult> Score(IReadOnlyList<TokenRequest> requests, Action<int>? progress = null, CancellationToken cancel = default)
    {
        var sums = new double[requests.Count];
        var greedy = new bool[requests.Count];
        Array.Fill(greedy, true);
        int context = requests.Count == 0 ? 1 : requests.Max(r => r.Tokens.Length - 1);
        _batcher.Run(requests, Math.Max(1, context), (ri, _, logits, token) =>
        {
            var (logProb, argmax) = LogSoftmax.At(logits, token);
            sums[ri] += logProb;
            if (argmax != token) greedy[ri] = false;
        }, progress, cancel);
        var results = new LoglikelihoodResult[requests.Count];
        for (int i = 0; i < results.Length; i++) results[i] = new LoglikelihoodResult(sums[i], greedy[i], requests[i].Scored);
        return results;
    }

    public IReadOnlyList<RollingResult> LoglikelihoodRolling(IReadOnlyList<string> texts, Action<int>? progress = null, CancellationToken cancel = default)
    {
        var windows = new List<TokenRequest>();
        var owner = new List<int>();
        for (int i = 0; i < texts.Count; i++)
        {
            foreach (var w in RollingWindows.Of(_tok.Encode(texts[i], false, false), PrefixToken(), Window))
            {
                windows.Add(w);
                owner.Add(i);
            }
        }
        var scores = Score(windows, done => progress?.Invoke(done == windows.Count ? texts.Count : owner[Math.Max(0, done - 1)]), cancel);
        var results = new RollingResult[texts.Count];
        for (int k = 0; k < windows.Count; k++)
        {
            var prev = results[owner[k]];
            results[owner[k]] = new RollingResult(prev.LogLikelihood + scores[k].LogLikelihood, prev.Tokens + scores[k].Tokens);
        }
        return results;
    }

    public IReadOnlyList<string> GenerateUntil(IReadOnlyList<GenerateRequest> requests, Action<int>? progress = null, CancellationToken cancel = default)
    {
        var outputs = new string[requests.Count];
        DecoderSession? session = null;
        Generator? generator = null;
        for (int i = 0; i < requests.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var r = requests[i];
            var prompt = Tokenize(r.Context, addBos: true);
            if (prompt.Length == 0) prompt = [PrefixToken()];
            int max = Math.Max(1, r.MaxTokens);
            if (prompt.Length + max > Window) prompt = prompt[Math.Max(0, prompt.Length + max - Window)..];
            if (session == null)
            {
                session = new DecoderSession(Model, _pool, Window);
                generator = new Generator(session, _tok);
            }
            var result = generator!.Generate(new GenerationRequest
            {
                Prompt = prompt,
                MaxTokens = Math.Min(max, Math.Max(1, Window - prompt.Length)),
                Sampling = SamplingOptions.Greedy,
                StopStrings = r.Until,
            }, cancel: cancel);
            outputs[i] = CutAtStop(result.Text, r.Until);
            progress?.Invoke(i + 1);
        }
        return outputs;
    }

    private static string CutAtStop(string text, IReadOnlyList<string> until)
    {
        int cut = text.Length;
        foreach (var s in until)
        {
            if (s.Length == 0) continue;
            int k = text.IndexOf(s, StringComparison.Ordinal);
            if (k >= 0) cut = Math.Min(cut, k);
        }
        return text[..cut];
    }

    public void ScoreSequences(IReadOnlyList<int[]> sequences, int first, Action<int, ReadOnlySpan<float>> rows, CancellationToken cancel = default)
    {
        if (sequences.Count == 0) return;
        int length = sequences[0].Length, vocab = VocabSize;
        if (first < 0 || first > length - 2) throw new ArgumentOutOfRangeException(nameof(first));
        int scored = length - 1 - first;
        var requests = sequences.Select(s => s.Length == length ? new TokenRequest(s, first + 1)
            : throw new ArgumentException("sequences must be of equal length")).ToArray();
        var buffer = new float[scored * vocab];
        int current = -1;
        // Rows arrive request by request, in order within a request; hand each request's block over when complete.
        _batcher.Run(requests, length - 1, (ri, k, logits, _) =>
        {
            current = ri;
            logits.CopyTo(buffer.AsSpan(k * vocab, vocab));
            if (k == scored - 1) rows(ri, buffer.AsSpan(0, scored * vocab));
        }, null, cancel);
        _ = current;
    }

    public string VocabularyFingerprint => _fingerprint ??= Fingerprint();

    private string Fingerprint()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int i = 0; i < _tok.VocabSize; i++)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(_tok.TokenText(i)));
            sha.AppendData([0]);
        }
        return $"{VocabSize}:{Convert.ToHexString(sha.GetHashAndReset())[..16]}";
    }

    public void Dispose()
    {
        _pool.Dispose();
        Model.Dispose();
    }
}
