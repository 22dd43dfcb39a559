// MatMul (single and grouped products, packed and not, split among 1 to 3 threads) against DotReference row by row.
using System.Runtime.InteropServices;
using Weft.Tensors.Kernels;
using Weft.Tensors.Quantization;
using Weft.Tensors.Threading;

namespace Weft.Tensors.Tests;

public static class MatMulChecks
{
    private static readonly GgmlType[] Types = [GgmlType.F32, GgmlType.F16, GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K];

    public static readonly List<(string, Func<int, IEnumerable<string>>)> All =
    [
        ("kernel MatMul", Check),
    ];

    /// <summary>
    /// Groups of one to three matrices over the same input (row counts with odd tails, mixed formats so that some
    /// members share the converted activations and some do not), batches of 1 and 5, pools of 1 to 3 threads, each
    /// output against <see cref="QuantFormat.DotReference"/> with the tile check's tolerance.
    /// </summary>
    private static IEnumerable<string> Check(int seed)
    {
        var rng = new Random(seed * 17 + 5);
        const int cols = 512;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var pool = new WorkerPool(threads);
            var mm = new MatMul(pool);
            foreach (int batch in new[] { 1, 5 })
            {
                foreach (int group in new[] { 1, 2, 3 })
                {
                    var types = new GgmlType[group];
                    var rows = new int[group];
                    var data = new byte[group][];
                    for (int i = 0; i < group; i++)
                    {
                        types[i] = Types[rng.Next(Types.Length)];
                        rows[i] = 1 + rng.Next(300);
                        var f = QuantRegistry.Get(types[i]);
                        int rowBytes = (int)f.RowBytes(cols);
                        data[i] = new byte[rows[i] * rowBytes];
                        for (int r = 0; r < rows[i]; r++)
                            f.QuantizeReference(FormatChecks.RandomRow(rng, cols), data[i].AsSpan(r * rowBytes, rowBytes));
                    }
                    var x = new float[batch * cols];
                    for (int b = 0; b < batch; b++) FormatChecks.RandomRow(rng, cols).CopyTo(x, b * cols);
                    var ys = new float[group][];
                    for (int i = 0; i < group; i++) ys[i] = new float[batch * rows[i]];
                    RunGroup(mm, types, rows, data, cols, x, batch, ys);
                    for (int i = 0; i < group; i++)
                    {
                        var f = QuantRegistry.Get(types[i]);
                        var dot = QuantRegistry.Get(f.DotType);
                        int rowBytes = (int)f.RowBytes(cols);
                        var xq = new byte[dot.RowBytes(cols)];
                        var xDeq = new float[cols];
                        var wDeq = new float[cols];
                        for (int b = 0; b < batch; b++)
                        {
                            var xb = x.AsSpan(b * cols, cols);
                            dot.QuantizeReference(xb, xq);
                            dot.DequantizeReference(xq, xDeq);
                            for (int r = 0; r < rows[i]; r++)
                            {
                                var wr = data[i].AsSpan(r * rowBytes, rowBytes);
                                float expected = f.DotReference(wr, xq, cols);
                                f.DequantizeReference(wr, wDeq);
                                float got = ys[i][b * rows[i] + r];
                                if (!FormatChecks.WithinTolerance(got, expected, wDeq, xDeq, out _))
                                {
                                    yield return $"{threads} threads, batch {batch}, group of {group}: member {i} ({types[i]}, {rows[i]} rows) " +
                                                 $"row {r} token {b}: {got}, reference {expected}";
                                    yield break;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static unsafe void RunGroup(MatMul mm, GgmlType[] types, int[] rows, byte[][] data, int cols, float[] x, int batch, float[][] ys)
    {
        int group = types.Length;
        var handles = new GCHandle[group];
        for (int i = 0; i < group; i++) handles[i] = GCHandle.Alloc(data[i], GCHandleType.Pinned);
        try
        {
            // every other matrix with a packing (Q4_0, Q8_0) goes packed: its whole groups through the packed
            // kernels, the last rows mod 8 through the format's own
            using var packs = new PackedWeights();
            var w = new QMatrix[group];
            for (int i = 0; i < group; i++)
            {
                w[i] = new QMatrix((byte*)handles[i].AddrOfPinnedObject(), types[i], rows[i], cols);
                if (i % 2 == 0) w[i] = packs.Pack(w[i]);
            }
            if (group == 1) mm.Run(w[0], x, batch, ys[0]);
            else if (group == 2) mm.Run(w[0], ys[0], w[1], ys[1], x, batch);
            else mm.Run(w[0], ys[0], w[1], ys[1], w[2], ys[2], x, batch);
        }
        finally
        {
            foreach (var h in handles) h.Free();
        }
    }
}
