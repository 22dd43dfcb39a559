// Every backward pass against float64 central differences on seeded random inputs.
using Weft.Tensors;
using Weft.Tensors.Kernels;
using Weft.Tensors.Quantization;
using Weft.Tensors.Threading;
using Weft.Training.Modeling;
using Weft.Training.Ops;
using Xunit.Abstractions;

namespace Weft.Training.Tests;

public sealed class OpGradientTests(ITestOutputHelper output)
{
    private static readonly WorkerPool Pool = new(2);

    private void Expect(string what, double error)
    {
        output.WriteLine($"{what}: relative error {error:E2}");
        Assert.True(error <= GradCheck.Limit, $"{what}: relative error {error:E2} > {GradCheck.Limit:E0}");
    }

    [Fact]
    public void Embedding_lookup()
    {
        int vocab = 7, dim = 5;
        int[] ids = [3, 1, 3, 6, 0];
        var table = GradCheck.Random(vocab * dim, 1);
        var r = GradCheck.Random(ids.Length * dim, 2);
        double Loss()
        {
            var y = new double[ids.Length * dim];
            Embedding.Forward<double>(table, dim, ids, y);
            return GradCheck.Dot(y, r);
        }
        var dTable = new double[table.Length];
        Embedding.Backward<double>(r, dim, ids, dTable);
        Expect("embedding dTable", GradCheck.RelativeError(table, dTable, Loss));
    }

    [Fact]
    public void Rms_norm()
    {
        int n = 3, d = 8;
        var x = GradCheck.Random(n * d, 3, 2);
        var w = GradCheck.Random(d, 4);
        var r = GradCheck.Random(n * d, 5);
        double Loss()
        {
            var y = new double[n * d];
            RmsNorm.Forward<double>(x, w, 1e-5f, n, y, new double[n]);
            return GradCheck.Dot(y, r);
        }
        var rstd = new double[n];
        RmsNorm.Forward<double>(x, w, 1e-5f, n, new double[n * d], rstd);
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        RmsNorm.Backward<double>(r, x, w, rstd, n, dx, dw);
        Expect("rmsnorm dx", GradCheck.RelativeError(x, dx, Loss));
        Expect("rmsnorm dw", GradCheck.RelativeError(w, dw, Loss));
    }

    [Theory]
    [InlineData(4, 6, 5, false)]
    [InlineData(16, 96, 64, true)]   // large enough to split among the workers
    public void Matmul(int n, int inDim, int outDim, bool threaded)
    {
        var pool = threaded ? Pool : null;
        var x = GradCheck.Random(n * inDim, 6);
        var w = GradCheck.Random(outDim * inDim, 7);
        var r = GradCheck.Random(n * outDim, 8);
        double Loss()
        {
            var y = new double[n * outDim];
            Linear.Forward(pool, x, w, n, inDim, outDim, y);
            return GradCheck.Dot(y, r);
        }
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        Linear.Backward(pool, r, x, w, n, inDim, outDim, dx, dw);
        Expect($"matmul {n}x{inDim}->{outDim} dx", GradCheck.RelativeError(x, dx, Loss));
        Expect($"matmul {n}x{inDim}->{outDim} dW", GradCheck.RelativeError(w, dw, Loss));
    }

    [Theory]
    [InlineData(GgmlType.F32)]
    [InlineData(GgmlType.Q8_0)]
    public unsafe void Frozen_matmul_input_gradient(GgmlType type)
    {
        int n = 16, inDim = 96, outDim = 64;   // enough work to use the threads
        var format = QuantRegistry.Get(type);
        var wf = Array.ConvertAll(GradCheck.Random(outDim * inDim, 9), v => (float)v);
        var bytes = new byte[format.RowBytes(inDim) * outDim];
        for (int row = 0; row < outDim; row++)
            format.Quantize(wf.AsSpan(row * inDim, inDim), bytes.AsSpan((int)(row * format.RowBytes(inDim)), (int)format.RowBytes(inDim)));
        fixed (byte* p = bytes)
        {
            var w = new QMatrix(p, type, outDim, inDim);
            var x = GradCheck.Random(n * inDim, 10);
            var r = GradCheck.Random(n * outDim, 11);
            double Loss()
            {
                var y = new double[n * outDim];
                FrozenLinear.Forward(Pool, x, w, n, y);
                return GradCheck.Dot(y, r);
            }
            var dx = new double[x.Length];
            FrozenLinear.BackwardInput(Pool, r, w, n, dx);
            Expect($"frozen {type} matmul dx", GradCheck.RelativeError(x, dx, Loss));
        }
    }

    [Theory]
    [InlineData(RopeStyle.Normal, 8)]
    [InlineData(RopeStyle.Normal, 4)]   // partial rotation: the last dimensions pass through
    [InlineData(RopeStyle.NeoX, 8)]
    public void Rope(RopeStyle style, int dims)
    {
        int n = 3, heads = 2, hd = 8;
        int[] positions = [0, 5, 17];
        var table = new RopeTable<double>(new RopeParams(dims, 10000f), style, 32);
        var x = GradCheck.Random(n * heads * hd, 12);
        var r = GradCheck.Random(x.Length, 13);
        double Loss()
        {
            var y = (double[])x.Clone();
            RopeOp.Forward<double>(y, n, hd, positions, table);
            return GradCheck.Dot(y, r);
        }
        var dx = (double[])r.Clone();
        RopeOp.Backward<double>(dx, n, hd, positions, table);
        Expect($"rope {style} dims {dims} dx", GradCheck.RelativeError(x, dx, Loss));
    }

    [Theory]
    [InlineData(4, 2, false)]
    [InlineData(4, 4, true)]
    [InlineData(6, 1, true)]
    public void Causal_attention_with_grouped_kv_heads(int heads, int kvHeads, bool threaded)
    {
        var pool = threaded ? Pool : null;
        int hd = 4, vd = 3;
        var shape = new AttentionShape(heads, kvHeads, hd, vd, 0.7f);
        Segment[] segs = [new(0, 3), new(3, 4)];
        int n = 7;
        var q = GradCheck.Random(n * heads * hd, 14, 1.5);
        var k = GradCheck.Random(n * kvHeads * hd, 15, 1.5);
        var v = GradCheck.Random(n * kvHeads * vd, 16);
        var r = GradCheck.Random(n * heads * vd, 17);
        int pc = CausalAttention.ProbabilityCount(segs, heads);
        double Loss()
        {
            var o = new double[n * heads * vd];
            CausalAttention.Forward(pool, shape, segs, q, k, v, o, new double[pc]);
            return GradCheck.Dot(o, r);
        }
        var probs = new double[pc];
        CausalAttention.Forward(pool, shape, segs, q, k, v, new double[n * heads * vd], probs);
        var dq = new double[q.Length];
        var dk = new double[k.Length];
        var dv = new double[v.Length];
        CausalAttention.Backward(pool, shape, segs, q, k, v, probs, r, dq, dk, dv);
        Expect($"attention {heads}/{kvHeads} dq", GradCheck.RelativeError(q, dq, Loss));
        Expect($"attention {heads}/{kvHeads} dk", GradCheck.RelativeError(k, dk, Loss));
        Expect($"attention {heads}/{kvHeads} dv", GradCheck.RelativeError(v, dv, Loss));
    }

    [Fact]
    public void Causal_attention_ignores_the_future_and_other_sequences()
    {
        var shape = new AttentionShape(2, 1, 4, 4, 0.5f);
        Segment[] segs = [new(0, 3), new(3, 3)];
        var q = GradCheck.Random(6 * 8, 18);
        var k = GradCheck.Random(6 * 4, 19);
        var v = GradCheck.Random(6 * 4, 20);
        var o1 = new double[6 * 8];
        CausalAttention.Forward(null, shape, segs, q, k, v, o1, new double[CausalAttention.ProbabilityCount(segs, 2)]);
        // Changing position 2 (last of the first sequence) must leave positions 0, 1 and the whole second sequence alone.
        for (int e = 0; e < 4; e++) { k[2 * 4 + e] += 1; v[2 * 4 + e] += 1; }
        var o2 = new double[6 * 8];
        CausalAttention.Forward(null, shape, segs, q, k, v, o2, new double[CausalAttention.ProbabilityCount(segs, 2)]);
        for (int i = 0; i < 6; i++)
            for (int e = 0; e < 8; e++)
                if (i != 2) Assert.Equal(o1[i * 8 + e], o2[i * 8 + e]);
                else Assert.NotEqual(o1[i * 8 + e], o2[i * 8 + e]);
    }

    [Fact]
    public void Swiglu()
    {
        int m = 20;
        var g = GradCheck.Random(m, 21, 4);
        var u = GradCheck.Random(m, 22, 2);
        var r = GradCheck.Random(m, 23);
        double Loss()
        {
            var h = new double[m];
            SwiGlu.Forward<double>(g, u, h);
            return GradCheck.Dot(h, r);
        }
        var dg = new double[m];
        var du = new double[m];
        SwiGlu.Backward<double>(r, g, u, dg, du);
        Expect("swiglu dgate", GradCheck.RelativeError(g, dg, Loss));
        Expect("swiglu dup", GradCheck.RelativeError(u, du, Loss));
    }

    [Fact]
    public void Residual_add()
    {
        var x = GradCheck.Random(10, 24);
        var b = GradCheck.Random(10, 25);
        var r = GradCheck.Random(10, 26);
        double Loss()
        {
            var y = new double[10];
            Residual.Forward<double>(x, b, y);
            // a nonlinear use of y, so that the check is not trivially linear
            return GradCheck.Dot(y.Select(v => v * v).ToArray(), r);
        }
        var y0 = new double[10];
        Residual.Forward<double>(x, b, y0);
        var dy = y0.Select((v, i) => 2 * v * r[i]).ToArray();
        var dx = new double[10];
        var db = new double[10];
        Residual.Backward<double>(dy, dx, db);
        Expect("residual dx", GradCheck.RelativeError(x, dx, Loss));
        Expect("residual dbranch", GradCheck.RelativeError(b, db, Loss));
    }

    [Fact]
    public void Cross_entropy_with_a_loss_mask()
    {
        int n = 5, vocab = 11;
        var logits = GradCheck.Random(n * vocab, 27, 3);
        int[] targets = [1, 10, 4, 4, 0];
        bool[] mask = [true, false, true, true, false];
        double Loss() => CrossEntropy.Forward<double>(logits, vocab, targets, mask).Loss;
        var d = new double[logits.Length];
        var (loss, count) = CrossEntropy.Forward<double>(logits, vocab, targets, mask, d);
        Assert.Equal(3, count);
        Assert.True(loss > 0);
        for (int j = 0; j < vocab; j++) { Assert.Equal(0, d[1 * vocab + j]); Assert.Equal(0, d[4 * vocab + j]); }
        Expect("cross-entropy dlogits", GradCheck.RelativeError(logits, d, Loss, maxSamples: 1000));
    }

    [Fact]
    public void Output_head()
    {
        int n = 3, d = 8, vocab = 10;
        var x = GradCheck.Random(n * d, 28, 2);
        var norm = GradCheck.Random(d, 29);
        var wp = new Parameter<double>("output.weight", [vocab, d], GradCheck.Random(vocab * d, 30), trainable: true);
        var w = new WeightMatrix<double>(wp);
        var r = GradCheck.Random(n * vocab, 31);
        double Loss()
        {
            var logits = new double[n * vocab];
            OutputHead.Forward(null, x, norm, 1e-5f, w, n, new double[n * d], new double[n], logits);
            return GradCheck.Dot(logits, r);
        }
        var normed = new double[n * d];
        var rstd = new double[n];
        OutputHead.Forward(null, x, norm, 1e-5f, w, n, normed, rstd, new double[n * vocab]);
        var dx = new double[x.Length];
        var dNorm = new double[d];
        OutputHead.Backward(null, r, x, norm, dNorm, w, normed, rstd, n, dx);
        Expect("output head dx", GradCheck.RelativeError(x, dx, Loss));
        Expect("output head dnorm", GradCheck.RelativeError(norm, dNorm, Loss));
        Expect("output head dW", GradCheck.RelativeError(wp.Value, wp.Grad!, Loss));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.25f)]
    public void Lora_factors(float dropout)
    {
        int n = 4, inDim = 12, outDim = 9, rank = 3;
        var lora = new LoraFactors<double>("blk.0.attn_q.weight", outDim, inDim, rank, alpha: 6, dropout, new Random(3));
        GradCheck.Random(lora.B.Value.Length, 32).CopyTo(lora.B.Value, 0);   // B starts at zero; make the check meaningful
        var x = GradCheck.Random(n * inDim, 33);
        var r = GradCheck.Random(n * outDim, 34);
        double Loss()
        {
            var y = new double[n * outDim];
            lora.Forward(null, x, n, y, new Random(5));   // the same dropout mask every time
            return GradCheck.Dot(y, r);
        }
        lora.Forward(null, x, n, new double[n * outDim], new Random(5));
        var dx = new double[x.Length];
        lora.Backward(null, r, n, dx);
        Expect($"lora dropout {dropout} dx", GradCheck.RelativeError(x, dx, Loss));
        Expect($"lora dropout {dropout} dA", GradCheck.RelativeError(lora.A.Value, lora.A.Grad!, Loss));
        Expect($"lora dropout {dropout} dB", GradCheck.RelativeError(lora.B.Value, lora.B.Grad!, Loss));
    }
}
