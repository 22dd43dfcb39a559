// F16 rows against their references where the one-token dot takes a shortcut: special halves, large activations.
using Weft.Tensors.Quantization;

namespace Weft.Tensors.Tests;

public static class HalfChecks
{
    public static readonly List<(string, Func<int, IEnumerable<string>>)> All =
    [
        ("F16 tile with special halves and large activations", SpecialValues),
        ("F16 one-token tile equals the single-row dot", TileEqualsDot),
    ];

    /// <summary>Row lengths: below one 16-element step, around it, uneven, and past the 16384 elements the shortcut takes.</summary>
    private static readonly int[] Lengths = [0, 1, 15, 16, 17, 31, 32, 33, 47, 64, 100, 255, 256, 257, 1000, 2048, 16400];

    /// <summary>
    /// Infinities, NaNs, subnormals and signed zeros among the halves, and activation rows with elements of 2^16 and
    /// more (which cannot be pre-scaled), through <see cref="QuantFormat.DotTile"/> against
    /// <see cref="QuantFormat.DotReference"/>: finite results within the usual tolerance, infinite and NaN ones alike.
    /// </summary>
    private static IEnumerable<string> SpecialValues(int seed)
    {
        var f = QuantRegistry.Get(GgmlType.F16);
        var rng = new Random(seed * 53 + 1);
        foreach (int n in Lengths)
        {
            const int rows = 6;
            var w = new byte[rows * n * 2];
            for (int r = 0; r < rows; r++)
                FillRow(rng, w.AsSpan(r * n * 2, n * 2), n, special: r switch { 0 => 0, 1 => 1, _ => rng.Next(3) });
            foreach (int tokens in new[] { 1, 2, 5 })
            {
                var x = new byte[tokens * n * 4];
                for (int t = 0; t < tokens; t++)
                {
                    var a = FormatChecks.RandomRow(rng, n);
                    // Half the activation rows get an element the 2^112 scaling would overflow.
                    if (n > 0 && rng.Next(2) == 0) a[rng.Next(n)] = rng.Next(3) switch { 0 => 65536f, 1 => -1e6f, _ => 65535.996f };
                    Buffer.BlockCopy(a, 0, x, t * n * 4, n * 4);
                }
                var y = new float[tokens * rows];
                RunTile(f, w, n * 2, rows, x, n * 4, tokens, n, y, rows);
                for (int t = 0; t < tokens; t++)
                {
                    for (int r = 0; r < rows; r++)
                    {
                        var wr = w.AsSpan(r * n * 2, n * 2);
                        var xt = x.AsSpan(t * n * 4, n * 4);
                        float expected = f.DotReference(wr, xt, n);
                        float got = y[t * rows + r];
                        double magnitude = 0;
                        for (int i = 0; i < n; i++)
                            magnitude += Math.Abs((double)BitConverter.ToHalf(wr[(i * 2)..]) * BitConverter.ToSingle(xt[(i * 4)..]));
                        bool ok = float.IsFinite(expected)
                            ? Math.Abs(got - expected) <= 1e-5 * magnitude + 1e-6
                            : float.IsNaN(expected) ? float.IsNaN(got) : got == expected;
                        if (!ok)
                        {
                            yield return $"n={n}: {tokens} tokens, row {r} token {t}: {got}, reference {expected} (magnitude {magnitude})";
                            yield break;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// A one-token <see cref="QuantFormat.DotTile"/> (decoding) must give each row exactly what
    /// <see cref="QuantFormat.Dot"/> gives it, whatever shortcut either takes: random rows, with and without
    /// subnormals, zeros, infinities and NaNs, against activations up to just below 2^16 and down to float subnormals.
    /// </summary>
    private static IEnumerable<string> TileEqualsDot(int seed)
    {
        var f = QuantRegistry.Get(GgmlType.F16);
        var rng = new Random(seed * 59 + 2);
        foreach (int n in Lengths)
        {
            for (int trial = 0; trial < 4; trial++)
            {
                const int rows = 5;
                var w = new byte[rows * n * 2];
                for (int r = 0; r < rows; r++) FillRow(rng, w.AsSpan(r * n * 2, n * 2), n, special: trial == 0 ? 0 : rng.Next(3));
                var a = FormatChecks.RandomRow(rng, n);
                for (int i = 0; i < n; i++)
                {
                    int kind = rng.Next(40);
                    if (kind == 0) a[i] = BitConverter.Int32BitsToSingle(rng.Next(1, 0x800000) | (rng.Next(2) << 31)); // float subnormal
                    else if (kind == 1) a[i] = rng.Next(2) == 0 ? 0f : -0f;
                    else if (kind == 2) a[i] = rng.Next(2) == 0 ? 65535.996f : -40000f;
                }
                var x = new byte[n * 4];
                Buffer.BlockCopy(a, 0, x, 0, n * 4);
                var y = new float[rows];
                RunTile(f, w, n * 2, rows, x, n * 4, 1, n, y, 1);
                for (int r = 0; r < rows; r++)
                {
                    float single = f.Dot(w.AsSpan(r * n * 2, n * 2), x, n);
                    if (BitConverter.SingleToInt32Bits(single) != BitConverter.SingleToInt32Bits(y[r]) && !(float.IsNaN(single) && float.IsNaN(y[r])))
                    {
                        yield return $"n={n}: row {r}: tile {y[r]:R}, dot {single:R}";
                        yield break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Random halves of varied scale; <paramref name="special"/> 1 mixes in subnormals and signed zeros, 2 also an
    /// infinity or NaN (possibly only in the scalar tail).
    /// </summary>
    private static void FillRow(Random rng, Span<byte> dst, int n, int special)
    {
        var row = FormatChecks.RandomRow(rng, n);
        for (int i = 0; i < n; i++)
        {
            ushort h = BitConverter.HalfToUInt16Bits((Half)row[i]);
            if (special >= 1)
            {
                int kind = rng.Next(8);
                if (kind == 0) h = (ushort)(rng.Next(1, 0x400) | (rng.Next(2) << 15)); // subnormal
                else if (kind == 1) h = (ushort)(rng.Next(2) << 15);                  // ±0
            }
            BitConverter.TryWriteBytes(dst[(i * 2)..], h);
        }
        if (special == 2 && n > 0)
        {
            ushort[] specials = [0x7C00, 0xFC00, 0x7E00, 0xFE01, 0x7C01];
            BitConverter.TryWriteBytes(dst[(rng.Next(n) * 2)..], specials[rng.Next(specials.Length)]);
        }
    }

    private static unsafe void RunTile(QuantFormat f, byte[] w, int wStride, int rows, byte[] x, int xStride, int tokens, int n, float[] y, int yStride)
    {
        fixed (byte* wp = w)
        fixed (byte* xp = x)
        fixed (float* yp = y)
            f.DotTile(wp, wStride, rows, xp, xStride, tokens, n, yp, yStride);
    }
}
