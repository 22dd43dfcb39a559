// Training sequences laid end to end: inputs, next-token targets, the loss mask, and each token's position.
using Weft.Training.Ops;

namespace Weft.Training.Modeling;

/// <summary>One tokenized training sequence; <see cref="LossMask"/>[i] says whether predicting token i counts (i ≥ 1).</summary>
public sealed record TrainingExample(int[] Tokens, bool[] LossMask)
{
    public static TrainingExample AllTokens(int[] tokens)
    {
        var mask = new bool[tokens.Length];
        for (int i = 1; i < mask.Length; i++) mask[i] = true;
        return new TrainingExample(tokens, mask);
    }
}

public sealed class TokenBatch
{
    /// <summary>[n] token ids fed to the model.</summary>
    public int[] Inputs { get; }
    /// <summary>[n] the token each input position should predict.</summary>
    public int[] Targets { get; }
    /// <summary>[n] whether a position's prediction counts in the loss.</summary>
    public bool[] Mask { get; }
    /// <summary>[n] rope position of each input (from 0 in each sequence).</summary>
    public int[] Positions { get; }
    public Segment[] Segments { get; }

    public int Count => Inputs.Length;
    public int LossTokens => Mask.Count(m => m);

    public TokenBatch(int[] inputs, int[] targets, bool[] mask, int[] positions, Segment[] segments)
    {
        Inputs = inputs;
        Targets = targets;
        Mask = mask;
        Positions = positions;
        Segments = segments;
    }

    /// <summary>Each example of L tokens gives L−1 positions: inputs tokens[0..L−1), targets tokens[1..L).</summary>
    public static TokenBatch From(IEnumerable<TrainingExample> examples)
    {
        var inputs = new List<int>();
        var targets = new List<int>();
        var mask = new List<bool>();
        var positions = new List<int>();
        var segments = new List<Segment>();
        foreach (var e in examples)
        {
            if (e.Tokens.Length != e.LossMask.Length) throw new ArgumentException("an example's loss mask must match its tokens");
            if (e.Tokens.Length < 2) continue;
            segments.Add(new Segment(inputs.Count, e.Tokens.Length - 1));
            for (int i = 0; i + 1 < e.Tokens.Length; i++)
            {
                inputs.Add(e.Tokens[i]);
                targets.Add(e.Tokens[i + 1]);
                mask.Add(e.LossMask[i + 1]);
                positions.Add(i);
            }
        }
        return new TokenBatch(inputs.ToArray(), targets.ToArray(), mask.ToArray(), positions.ToArray(), segments.ToArray());
    }

    /// <summary>Whole sequences to evaluate (no targets): every position is an input.</summary>
    public static TokenBatch ForInference(params int[][] sequences)
    {
        var inputs = new List<int>();
        var positions = new List<int>();
        var segments = new List<Segment>();
        foreach (var s in sequences)
        {
            segments.Add(new Segment(inputs.Count, s.Length));
            for (int i = 0; i < s.Length; i++) { inputs.Add(s[i]); positions.Add(i); }
        }
        return new TokenBatch(inputs.ToArray(), new int[inputs.Count], new bool[inputs.Count], positions.ToArray(), segments.ToArray());
    }
}
