// A corpus as one token stream (each line's tokens, then the line-break token) with the offset of every line start,
// cut into BOS-led windows: at random line starts for training (chosen from the step number alone, so a resumed run
// sees the same data), back to back for evaluation.
using Weft.Tokenizers;
using Weft.Training.Modeling;

namespace Weft.Training.Pretraining;

public sealed class TokenStream
{
    public int[] Tokens { get; }
    /// <summary>Offsets in <see cref="Tokens"/> where a line starts.</summary>
    public int[] LineStarts { get; }
    public int Bos { get; }

    private TokenStream(int[] tokens, int[] lineStarts, int bos)
    {
        Tokens = tokens;
        LineStarts = lineStarts;
        Bos = bos;
    }

    public static TokenStream Build(string text, Tokenizer tokenizer, int bos)
    {
        var newline = tokenizer.Encode("\n", addSpecial: false, parseSpecial: false);
        var tokens = new List<int>();
        var starts = new List<int>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            starts.Add(tokens.Count);
            tokens.AddRange(tokenizer.Encode(line, addSpecial: false, parseSpecial: false));
            tokens.AddRange(newline);
        }
        return new TokenStream(tokens.ToArray(), starts.ToArray(), bos);
    }

    /// <summary>The training sequences of optimizer step <paramref name="step"/>: BOS then length−1 tokens each.</summary>
    public List<TrainingExample> TrainingWindows(int step, int count, int length, int seed)
    {
        if (Tokens.Length < length) throw new TrainingConfigException($"the training text has {Tokens.Length} tokens, fewer than one sequence of {length}");
        var rng = new SplitMix64(((ulong)(uint)seed << 32) ^ (ulong)step * 0x9E3779B97F4A7C15UL);
        // Line starts from which a whole window fits.
        int usable = LastFittingLine(length - 1) + 1;
        var list = new List<TrainingExample>(count);
        for (int i = 0; i < count; i++)
        {
            int start = LineStarts[(int)(rng.Next() % (ulong)usable)];
            list.Add(TrainingExample.AllTokens(Window(start, length - 1)));
        }
        return list;
    }

    /// <summary>Back-to-back windows from line starts, each as long as whole lines allow (a longer line is cut).</summary>
    public List<TrainingExample> EvaluationWindows(int length, int max = 0)
    {
        var list = new List<TrainingExample>();
        int n = LineStarts.Length;
        int LineEnd(int k) => k + 1 < n ? LineStarts[k + 1] : Tokens.Length;
        for (int line = 0; line < n && (max == 0 || list.Count < max);)
        {
            int start = LineStarts[line], next = line + 1;
            while (next < n && LineEnd(next) - start <= length - 1) next++;
            int end = Math.Min(LineEnd(next - 1), start + length - 1);
            list.Add(TrainingExample.AllTokens(Window(start, end - start)));
            line = next;
        }
        return list;
    }

    private int[] Window(int start, int count)
    {
        var w = new int[count + 1];
        w[0] = Bos;
        Array.Copy(Tokens, start, w, 1, count);
        return w;
    }

    private int LastFittingLine(int count)
    {
        int lo = 0, hi = LineStarts.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (LineStarts[mid] + count <= Tokens.Length) lo = mid; else hi = mid - 1;
        }
        return lo;
    }
}

/// <summary>A small random generator whose whole state is one number (so a checkpoint can hold it).</summary>
public struct SplitMix64(ulong state)
{
    public ulong State = state;

    public ulong Next()
    {
        ulong z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
