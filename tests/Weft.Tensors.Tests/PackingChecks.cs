// Packed rows (RowPacking) against the format's scalar reference, against themselves alone, and packed back.
using Weft.Tensors.Quantization;
using Weft.Tensors.Quantization.Packed;

namespace Weft.Tensors.Tests;

public static class PackingChecks
{
    public static readonly List<(string, Func<int, IEnumerable<string>>)> All =
    [
        ("packing Q4_0", seed => Check(GgmlType.Q4_0, seed)),
        ("packing Q8_0", seed => Check(GgmlType.Q8_0, seed)),
        ("packing Q4_K", seed => Check(GgmlType.Q4_K, seed)),
        ("packing Q6_K", seed => Check(GgmlType.Q6_K, seed)),
        ("packing Q4_0 refuses non-finite scales", seed => CheckRefusal(GgmlType.Q4_0, seed)),
        ("packing Q8_0 refuses non-finite scales", seed => CheckRefusal(GgmlType.Q8_0, seed)),
    ];

    /// <summary>
    /// One to five groups of eight random rows of 1, 3, 17 and 520 blocks (the last longer than one pass of the
    /// driver), 1, 2, 3 and 5 tokens (pairs and a single), each result against <see cref="QuantFormat.DotReference"/>
    /// with the tile check's tolerance and bit for bit against the same row and token computed alone; packing then
    /// unpacking gives the rows back byte for byte, rows of random bytes as well as quantized ones. Nothing to check
    /// where the machine has no packing.
    /// </summary>
    private static IEnumerable<string> Check(GgmlType type, int seed)
    {
        var packing = RowPacking.For(type);
        if (packing == null) yield break;
        var f = QuantRegistry.Get(type);
        var dot = QuantRegistry.Get(f.DotType);
        var rng = new Random(seed * 31 + (int)type);
        foreach (int blocks in f.BlockSize == 32 ? new[] { 1, 3, 17, 520 } : new[] { 1, 3, 9 })
        {
            int n = blocks * f.BlockSize;
            int groups = blocks > 100 ? 1 : 1 + rng.Next(5);
            int rows = groups * 8;
            int wRow = (int)f.RowBytes(n), wStride = wRow + 6;
            var w = new byte[rows * wStride];
            var deq = new float[rows * n];
            for (int r = 0; r < rows; r++)
            {
                f.QuantizeReference(FormatChecks.RandomRow(rng, n), w.AsSpan(r * wStride, wRow));
                f.DequantizeReference(w.AsSpan(r * wStride, wRow), deq.AsSpan(r * n, n));
            }
            var packed = Pack(packing, w, wStride, groups, n);
            var back = new byte[wRow];
            for (int r = 0; r < rows; r++)
            {
                Unpack(packing, packed, r, n, back);
                if (!back.AsSpan().SequenceEqual(w.AsSpan(r * wStride, wRow)))
                {
                    yield return $"n={n}: row {r} unpacked differs from the row packed";
                    yield break;
                }
            }
            // any bytes, not only rows a quantizer writes, come back unchanged
            var junk = new byte[8 * wStride];
            new Random(seed * 31 + blocks).NextBytes(junk);
            var junkPacked = Pack(packing, junk, wStride, 1, n);
            for (int r = 0; r < 8; r++)
            {
                Unpack(packing, junkPacked, r, n, back);
                if (!back.AsSpan().SequenceEqual(junk.AsSpan(r * wStride, wRow)))
                {
                    yield return $"n={n}: row {r} of random bytes unpacked differs from the row packed";
                    yield break;
                }
            }
            foreach (int tokens in new[] { 1, 2, 3, 5 })
            {
                int xRow = (int)dot.RowBytes(n), xStride = xRow + 10;
                var x = new byte[tokens * xStride];
                var xDeq = new float[tokens * n];
                for (int t = 0; t < tokens; t++)
                {
                    dot.QuantizeReference(FormatChecks.RandomRow(rng, n), x.AsSpan(t * xStride, xRow));
                    dot.DequantizeReference(x.AsSpan(t * xStride, xRow), xDeq.AsSpan(t * n, n));
                }
                int yStride = rows + 3;
                var y = new float[tokens * yStride];
                Run(packing, packed, groups, x, xStride, tokens, n, y, yStride);
                for (int t = 0; t < tokens; t++)
                {
                    var alone = new float[rows];
                    Run(packing, packed, groups, x.AsSpan(t * xStride).ToArray(), xStride, 1, n, alone, rows);
                    for (int r = 0; r < rows; r++)
                    {
                        float expected = f.DotReference(w.AsSpan(r * wStride, wRow), x.AsSpan(t * xStride, xRow), n);
                        float got = y[t * yStride + r];
                        if (!FormatChecks.WithinTolerance(got, expected, deq.AsSpan(r * n, n), xDeq.AsSpan(t * n, n), out double magnitude))
                        {
                            yield return $"n={n}: {groups} groups × {tokens} tokens, row {r} token {t}: {got}, reference {expected} (magnitude {magnitude})";
                            yield break;
                        }
                        if (BitConverter.SingleToInt32Bits(alone[r]) != BitConverter.SingleToInt32Bits(got))
                        {
                            yield return $"n={n}: {groups} groups × {tokens} tokens, row {r} token {t}: {got}, alone {alone[r]}";
                            yield break;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packings whose kernels read block scales in a form that holds only finite values (Q4_0, Q8_0) refuse a group
    /// with an infinite or NaN scale, and <see cref="PackedWeights"/> then leaves the matrix unpacked.
    /// </summary>
    private static IEnumerable<string> CheckRefusal(GgmlType type, int seed)
    {
        var packing = RowPacking.For(type);
        if (packing == null) yield break;
        var f = QuantRegistry.Get(type);
        var rng = new Random(seed);
        int n = 64, wRow = (int)f.RowBytes(n);
        var w = new byte[16 * wRow];
        for (int r = 0; r < 16; r++) f.QuantizeReference(FormatChecks.RandomRow(rng, n), w.AsSpan(r * wRow, wRow));
        int victim = 8 + rng.Next(8), block = rng.Next(2);
        BitConverter.TryWriteBytes(w.AsSpan(victim * wRow + block * (wRow / 2)), rng.Next(2) == 0 ? (ushort)0x7C00 : (ushort)0xFE01);
        var (finiteOk, refused, matrixPacked) = TryPack(packing, type, w, wRow, n);
        if (!finiteOk) yield return "a group of finite scales was refused";
        if (!refused) yield return $"row {victim} block {block}: a non-finite scale was packed";
        if (matrixPacked) yield return "a matrix with a non-finite scale was packed";
    }

    private static unsafe (bool FiniteOk, bool Refused, bool MatrixPacked) TryPack(RowPacking packing, GgmlType type, byte[] w, int wRow, int n)
    {
        var dst = new byte[packing.GroupBytes(n)];
        fixed (byte* wp = w)
        fixed (byte* dp = dst)
        {
            bool finiteOk = packing.Pack(wp, wRow, n, dp);
            bool refused = !packing.Pack(wp + 8 * wRow, wRow, n, dp);
            using var packs = new Weft.Tensors.Kernels.PackedWeights();
            var m = packs.Pack(new Weft.Tensors.Kernels.QMatrix(wp, type, 16, n));
            return (finiteOk, refused, m.Packing != null || packs.Bytes != 0);
        }
    }

    private static unsafe byte[] Pack(RowPacking packing, byte[] w, int wStride, int groups, int n)
    {
        long groupBytes = packing.GroupBytes(n);
        var packed = new byte[groups * groupBytes];
        fixed (byte* wp = w)
        fixed (byte* pp = packed)
            for (int g = 0; g < groups; g++) packing.Pack(wp + g * 8L * wStride, wStride, n, pp + g * groupBytes);
        return packed;
    }

    private static unsafe void Unpack(RowPacking packing, byte[] packed, int row, int n, byte[] dst)
    {
        fixed (byte* pp = packed)
        fixed (byte* d = dst)
            packing.Unpack(pp + row / 8 * packing.GroupBytes(n), row % 8, n, d);
    }

    private static unsafe void Run(RowPacking packing, byte[] packed, int groups, byte[] x, int xStride, int tokens, int n, float[] y, int yStride)
    {
        fixed (byte* pp = packed)
        fixed (byte* xp = x)
        fixed (float* yp = y)
            packing.DotTile(pp, groups, xp, xStride, tokens, n, yp, yStride);
    }
}
