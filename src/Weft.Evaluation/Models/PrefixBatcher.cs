// Scores many token requests through one DecoderBatch: requests that share a prefix reuse its KV cache (a context is
// evaluated once for all its continuations, as llama-perplexity does for HellaSwag), and requests on different
// sequences are packed into one forward pass so each weight row is read once per pass.
using Weft.Models;
using Weft.Models.Transformer;
using Weft.Tensors.Threading;

namespace Weft.Evaluation.Models;

internal sealed class PrefixBatcher
{
    private const int Lookahead = 256; // pending requests considered when filling a pass
    private const int WorthWaiting = 4; // waiting for a busy slot must save at least this many tokens…
    private const int MaxOutputFloats = 32 << 20; // logits of one pass: 128 MiB at most (unless one request needs more)

    private readonly Model _model;
    private readonly WorkerPool _pool;
    private readonly int _slots;
    private readonly int _passTokens;
    private DecoderBatch? _batch;
    private List<int>[] _cached = [];
    private float[] _logits = [];

    /// <summary>(sequence, token) entries run through the model so far: what prefix reuse leaves to compute.</summary>
    public long FedTokens { get; private set; }

    /// <param name="slots">sequences evaluated side by side</param>
    /// <param name="passTokens">most (sequence, token) entries in one forward pass</param>
    public PrefixBatcher(Model model, WorkerPool pool, int slots, int passTokens)
    {
        _model = model;
        _pool = pool;
        _slots = Math.Max(1, slots);
        _passTokens = Math.Max(16, passTokens);
    }

    /// <summary>Calls <paramref name="row"/> for every scored token of every request: (request, scored index, logits of
    /// the position before it [vocab], the token). Requests must fit <paramref name="context"/> input positions.</summary>
    public void Run(IReadOnlyList<TokenRequest> requests, int context, Action<int, int, ReadOnlySpan<float>, int> row,
        Action<int>? done, CancellationToken cancel)
    {
        if (requests.Count == 0) return;
        int vocab = _model.Config.VocabSize;
        Prepare(context);
        var batch = _batch!;
        var pending = new LinkedList<int>(Enumerable.Range(0, requests.Count).Where(i => requests[i].Scored > 0));
        int finished = requests.Count - pending.Count;
        if (finished > 0) done?.Invoke(finished);

        var seq = new List<int>();
        var tok = new List<int>();
        var outs = new List<int>();
        var taken = new List<(int Request, int Slot, int FirstOutput)>();
        var busy = new bool[_slots];
        while (pending.Count > 0)
        {
            cancel.ThrowIfCancellationRequested();
            seq.Clear(); tok.Clear(); outs.Clear(); taken.Clear();
            Array.Clear(busy);
            int scanned = 0;
            for (var node = pending.First; node != null && scanned < Lookahead && taken.Count < _slots; scanned++)
            {
                var next = node.Next;
                var r = requests[node.Value];
                int input = r.Tokens.Length - 1; // the last token is only scored, never fed
                var (slot, common) = BestSlot(r.Tokens, input, r.Prefix, busy);
                if (slot < 0) { node = next; continue; } // its prefix lives on a busy slot: a later pass
                int start = Math.Min(common, r.Prefix - 1);
                int cost = input - start;
                if (tok.Count > 0 && tok.Count + cost > _passTokens) break;
                if (outs.Count > 0 && outs.Count + r.Scored > MaxOutputFloats / vocab) break;
                busy[slot] = true;
                batch.Truncate(slot, start);
                var cached = _cached[slot];
                cached.RemoveRange(start, cached.Count - start);
                taken.Add((node.Value, slot, outs.Count));
                for (int p = start; p < input; p++)
                {
                    if (p >= r.Prefix - 1) outs.Add(tok.Count);
                    seq.Add(slot);
                    tok.Add(r.Tokens[p]);
                    cached.Add(r.Tokens[p]);
                }
                pending.Remove(node);
                node = next;
            }
            if (taken.Count == 0) throw new InvalidOperationException("no request could be scheduled");
            EnsureLogits(outs.Count * vocab);
            batch.Evaluate(seq.ToArray(), tok.ToArray(), outs.ToArray(), _logits.AsMemory(0, outs.Count * vocab));
            FedTokens += tok.Count;
            foreach (var (ri, _, first) in taken)
            {
                var r = requests[ri];
                for (int k = 0; k < r.Scored; k++)
                    row(ri, k, _logits.AsSpan((first + k) * vocab, vocab), r.Tokens[r.Prefix + k]);
            }
            finished += taken.Count;
            done?.Invoke(finished);
        }
    }

    /// <summary>The free slot sharing the longest prefix with <paramref name="tokens"/>[..input]; -1 when a busy slot
    /// shares so much more (at least half the request's context) that a later pass is cheaper. Ties go to the
    /// emptiest slot.</summary>
    private (int Slot, int Common) BestSlot(int[] tokens, int input, int prefix, bool[] busy)
    {
        int bestFree = -1, bestFreeCommon = -1, bestBusyCommon = 0;
        for (int s = 0; s < _slots; s++)
        {
            var cached = _cached[s];
            int n = Math.Min(cached.Count, input), c = 0;
            while (c < n && cached[c] == tokens[c]) c++;
            if (busy[s]) { bestBusyCommon = Math.Max(bestBusyCommon, c); continue; }
            if (c > bestFreeCommon || (c == bestFreeCommon && cached.Count < _cached[bestFree].Count))
            {
                bestFree = s;
                bestFreeCommon = c;
            }
        }
        int gain = bestBusyCommon - Math.Max(0, bestFreeCommon);
        if (gain >= Math.Max(WorthWaiting, prefix / 2)) return (-1, 0);
        return (bestFree, Math.Max(0, bestFreeCommon));
    }

    private void Prepare(int context)
    {
        if (_batch != null && _batch.ContextSize >= context) return;
        _batch = new DecoderBatch(_model, _pool, _slots, context, maxBatch: Math.Min(_passTokens, 512));
        _cached = Enumerable.Range(0, _slots).Select(_ => new List<int>(context)).ToArray();
    }

    private void EnsureLogits(int floats)
    {
        if (_logits.Length < floats) _logits = new float[Math.Max(floats, _logits.Length * 2)];
    }
}
