// y = W·x for a batch of activation rows: activations are converted once per row to the format's dot type,
// then the weight rows are split among the worker threads (each weight row is read once per batch). Up to three
// matrices over the same input (Q/K/V, gate/up) run as one group: one conversion per dot type, one hand-off.
using System.Runtime.InteropServices;
using Weft.Tensors.Quantization;
using Weft.Tensors.Quantization.Packed;
using Weft.Tensors.Threading;

namespace Weft.Tensors.Kernels;

public sealed class MatMul
{
    private const int MaxGroup = 3;

    private readonly WorkerPool _pool;
    private readonly byte[][] _xq = [[], [], []];
    private readonly RowJob _rows = new();
    private readonly QuantizeJob _quantize = new();

    public MatMul(WorkerPool pool) => _pool = pool;

    public WorkerPool Pool => _pool;

    /// <summary>y[b, r] = Σ_c W[r, c] · x[b, c] for b &lt; batch; x is [batch, W.Cols], y is [batch, W.Rows].</summary>
    public void Run(in QMatrix w, Memory<float> x, int batch, Memory<float> y)
    {
        _rows.Count = 0;
        Add(w, x, batch, y);
        Execute(batch);
    }

    /// <summary>Two products of the same input (gate and up): as two <see cref="Run"/> calls, with one hand-off to the workers.</summary>
    public void Run(in QMatrix w0, Memory<float> y0, in QMatrix w1, Memory<float> y1, Memory<float> x, int batch)
    {
        _rows.Count = 0;
        Add(w0, x, batch, y0);
        Add(w1, x, batch, y1);
        Execute(batch);
    }

    /// <summary>Three products of the same input (Q, K and V): as three <see cref="Run"/> calls, with one hand-off to the workers.</summary>
    public void Run(in QMatrix w0, Memory<float> y0, in QMatrix w1, Memory<float> y1, in QMatrix w2, Memory<float> y2,
        Memory<float> x, int batch)
    {
        _rows.Count = 0;
        Add(w0, x, batch, y0);
        Add(w1, x, batch, y1);
        Add(w2, x, batch, y2);
        Execute(batch);
    }

    /// <summary>Adds a product to the group, converting x to the matrix's dot type unless an earlier member already did.</summary>
    private void Add(in QMatrix w, Memory<float> x, int batch, Memory<float> y)
    {
        if (x.Length < batch * w.Cols || y.Length < batch * w.Rows)
            throw new ArgumentException($"matmul [{w.Rows}x{w.Cols}] with batch {batch}: buffers too small");
        int i = _rows.Count;
        var dotFormat = QuantRegistry.Get(w.Format.DotType);
        int xqRow = (int)dotFormat.RowBytes(w.Cols);
        ref var m = ref _rows.Members[i];
        m.W = w;
        m.Y = y;
        m.X = x;
        m.XIsFloat = dotFormat.Type == GgmlType.F32;
        m.XqRow = xqRow;
        m.Xq = default;
        if (!m.XIsFloat)
        {
            for (int j = 0; j < i; j++)
            {
                ref var o = ref _rows.Members[j];
                if (!o.XIsFloat && o.W.Format.DotType == dotFormat.Type && o.W.Cols == w.Cols && o.X.Equals(x))
                {
                    m.Xq = o.Xq;
                    break;
                }
            }
            if (m.Xq.IsEmpty)
            {
                if (_xq[i].Length < xqRow * batch) _xq[i] = new byte[Math.Max(xqRow * batch, _xq[i].Length * 2)];
                _quantize.Set(dotFormat, x, w.Cols, _xq[i], xqRow);
                _pool.Run(_quantize, batch, 1);
                m.Xq = _xq[i];
            }
        }
        // Chunks of rows: small enough to balance, large enough to amortise the hand-off; a multiple of four rows
        // (the decoding kernels take four rows at a time), of eight for packed matrices (their groups).
        int unit = w.Packing != null ? RowPacking.GroupRows : 4;
        int chunk = Math.Max(unit, Math.Min(64, w.Rows / (_pool.ThreadCount * 8))) & -unit;
        m.ChunkRows = chunk;
        m.FirstChunk = i == 0 ? 0 : _rows.Members[i - 1].FirstChunk + (_rows.Members[i - 1].W.Rows + _rows.Members[i - 1].ChunkRows - 1) / _rows.Members[i - 1].ChunkRows;
        _rows.Count = i + 1;
    }

    private void Execute(int batch)
    {
        _rows.Batch = batch;
        ref var last = ref _rows.Members[_rows.Count - 1];
        int chunks = last.FirstChunk + (last.W.Rows + last.ChunkRows - 1) / last.ChunkRows;
        _pool.Run(_rows, chunks, 1);
        _rows.Clear();
    }

    private sealed class QuantizeJob : IRangeJob
    {
        private QuantFormat? _format;
        private Memory<float> _x;
        private int _cols;
        private byte[] _xq = [];
        private int _xqRow;

        public void Set(QuantFormat format, Memory<float> x, int cols, byte[] xq, int xqRow)
        {
            _format = format; _x = x; _cols = cols; _xq = xq; _xqRow = xqRow;
        }

        public void Execute(int start, int end, int worker)
        {
            var x = _x.Span;
            for (int b = start; b < end; b++)
                _format!.Quantize(x.Slice(b * _cols, _cols), _xq.AsSpan(b * _xqRow, _xqRow));
        }
    }

    /// <summary>One product of a group: its rows are chunks [FirstChunk, FirstChunk + ⌈Rows / ChunkRows⌉) of the job.</summary>
    private struct Member
    {
        public QMatrix W;
        public Memory<float> X;
        public Memory<byte> Xq;
        public int XqRow;
        public bool XIsFloat;
        public Memory<float> Y;
        public int ChunkRows;
        public int FirstChunk;
    }

    private sealed class RowJob : IRangeJob
    {
        public readonly Member[] Members = new Member[MaxGroup];
        public int Count;
        public int Batch;

        public void Clear()
        {
            for (int i = 0; i < Count; i++) Members[i] = default;
            Count = 0;
        }

        public void Execute(int start, int end, int worker)
        {
            for (int c = start; c < end; c++)
            {
                int i = 0;
                while (i + 1 < Count && c >= Members[i + 1].FirstChunk) i++;
                ref var m = ref Members[i];
                int r0 = (c - m.FirstChunk) * m.ChunkRows;
                Run(ref m, r0, Math.Min(r0 + m.ChunkRows, m.W.Rows));
            }
        }

        private unsafe void Run(ref Member m, int start, int end)
        {
            var w = m.W;
            int cols = w.Cols, rows = w.Rows;
            ReadOnlySpan<byte> xAll = m.XIsFloat ? MemoryMarshal.AsBytes(m.X.Span) : m.Xq.Span;
            int xRow = m.XIsFloat ? cols * sizeof(float) : m.XqRow;
            _ = xAll[..(Batch * xRow)];
            var y = m.Y.Span[..(Batch * rows)];
            fixed (byte* x = xAll)
            fixed (float* yp = y)
            {
                // chunks start on a group boundary, so the packed part is whole groups
                int packedEnd = Math.Min(end, w.PackedRows);
                if (start < packedEnd)
                {
                    w.Packing!.DotTile(w.Packed + start / RowPacking.GroupRows * w.Packing.GroupBytes(cols), (packedEnd - start) / RowPacking.GroupRows,
                        x, xRow, Batch, cols, yp + start, rows);
                    start = packedEnd;
                }
                if (start < end)
                    w.Format.DotTile(w.Data + start * w.RowBytes, w.RowBytes, end - start, x, xRow, Batch, cols, yp + start, rows);
            }
        }
    }
}
