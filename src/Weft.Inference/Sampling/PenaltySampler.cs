// Repetition, frequency and presence penalties over the most recent tokens.
namespace Weft.Inference.Sampling;

/// <summary>
/// For every token that occurs <c>count &gt; 0</c> times in the last <c>lastN</c> tokens of the history:
/// the repetition penalty divides a positive logit and multiplies a non-positive one (as llama.cpp does),
/// then <c>logit -= count * frequency + presence</c> (the OpenAI definition).
/// </summary>
public sealed class PenaltySampler
{
    private readonly int[] _counts;

    /// <param name="vocabSize">Token ids in the history must be below this.</param>
    /// <param name="lastN">How many recent tokens to look at; -1 = all of the history, 0 = off.</param>
    /// <param name="repeat">Repetition penalty, &gt; 0; 1 = off.</param>
    /// <param name="frequency">Subtracted once per occurrence.</param>
    /// <param name="presence">Subtracted once for any number of occurrences.</param>
    public PenaltySampler(int vocabSize, int lastN, float repeat, float frequency, float presence)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastN, -1);
        if (!(repeat > 0f) || float.IsInfinity(repeat)) throw new ArgumentOutOfRangeException(nameof(repeat), repeat, "must be finite and > 0");
        if (!float.IsFinite(frequency)) throw new ArgumentOutOfRangeException(nameof(frequency), frequency, "must be finite");
        if (!float.IsFinite(presence)) throw new ArgumentOutOfRangeException(nameof(presence), presence, "must be finite");
        VocabSize = vocabSize;
        LastN = lastN;
        Repeat = repeat;
        Frequency = frequency;
        Presence = presence;
        _counts = new int[vocabSize];
    }

    public int VocabSize { get; }
    public int LastN { get; }
    public float Repeat { get; }
    public float Frequency { get; }
    public float Presence { get; }

    /// <summary>True when applying would change nothing.</summary>
    public bool IsDisabled => LastN == 0 || (Repeat == 1f && Frequency == 0f && Presence == 0f);

    /// <summary>The part of <paramref name="history"/> the penalties look at.</summary>
    public ReadOnlySpan<int> Window(ReadOnlySpan<int> history) =>
        LastN < 0 || history.Length <= LastN ? history : history[^LastN..];

    /// <summary>Penalises the candidates that occur in the window of <paramref name="history"/>.</summary>
    public void Apply(CandidateSet set, ReadOnlySpan<int> history)
    {
        if (IsDisabled) return;
        var window = Window(history);
        if (window.IsEmpty) return;
        foreach (int t in window)
        {
            if ((uint)t >= (uint)_counts.Length)
                throw new ArgumentOutOfRangeException(nameof(history), t, $"token id outside the vocabulary of {_counts.Length}");
        }
        foreach (int t in window) _counts[t]++;

        var items = set.Items;
        if (set.IsInIdOrder)
        {
            // entry t is token t: touch each distinct token of the window once, clearing its count as we go
            foreach (int t in window)
            {
                int count = _counts[t];
                if (count == 0) continue;
                _counts[t] = 0;
                if (t < items.Length) Penalise(ref items[t], count);
            }
        }
        else
        {
            for (int i = 0; i < items.Length; i++)
            {
                int id = items[i].Id;
                int count = (uint)id < (uint)_counts.Length ? _counts[id] : 0;
                if (count > 0) Penalise(ref items[i], count);
            }
            foreach (int t in window) _counts[t] = 0;
        }
        set.MarkUnsorted();
    }

    private void Penalise(ref TokenCandidate candidate, int count)
    {
        float logit = candidate.Logit;
        if (logit <= 0f) logit *= Repeat;
        else logit /= Repeat;
        logit -= count * Frequency + Presence;
        candidate.Logit = logit;
    }
}
