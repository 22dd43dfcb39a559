// y = W·x for a batch of activation rows: activations are converted once per row to the format's dot type,
// then the weight rows are split among the worker threads (each weight row is read once per batch).
using System.Runtime.InteropServices;
using Weft.Tensors.Quantization;
using Weft.Tensors.Threading;

namespace Weft.Tensors.Kernels;

public sealed class MatMul
{
    private readonly WorkerPool _pool;
    private byte[] _xq = [];
    private readonly RowJob _rows = new();
    private readonly QuantizeJob _quantize = new();

    public MatMul(WorkerPool pool) => _pool = pool;

    public WorkerPool Pool => _pool;

    /// <summary>y[b, r] = Σ_c W[r, c] · x[b, c] for b &lt; batch; x is [batch, W.Cols], y is [batch, W.Rows].</summary>
    public void Run(in QMatrix w, Memory<float> x, int batch, Memory<float> y)
    {
        if (x.Length < batch * w.Cols || y.Length < batch * w.Rows)
            throw new ArgumentException($"matmul [{w.Rows}x{w.Cols}] with batch {batch}: buffers too small");
        var dotFormat = QuantRegistry.Get(w.Format.DotType);
        int xqRow = (int)dotFormat.RowBytes(w.Cols);
        Memory<byte> xq;
        if (dotFormat.Type == GgmlType.F32)
        {
            xq = default;
            _rows.XIsFloat = true;
        }
        else
        {
            if (_xq.Length < xqRow * batch) _xq = new byte[Math.Max(xqRow * batch, _xq.Length * 2)];
            _quantize.Set(dotFormat, x, w.Cols, _xq, xqRow);
            _pool.Run(_quantize, batch, 1);
            xq = _xq;
            _rows.XIsFloat = false;
        }
        _rows.Set(w, x, xq, xqRow, batch, y);
        // Chunks of rows: small enough to balance, large enough to amortise the hand-off.
        int chunk = Math.Max(1, Math.Min(64, w.Rows / (_pool.ThreadCount * 8)));
        _pool.Run(_rows, w.Rows, chunk);
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

    private sealed class RowJob : IRangeJob
    {
        private QMatrix _w;
        private Memory<float> _x;
        private Memory<byte> _xq;
        private int _xqRow;
        private int _batch;
        private Memory<float> _y;
        public bool XIsFloat;

        public void Set(in QMatrix w, Memory<float> x, Memory<byte> xq, int xqRow, int batch, Memory<float> y)
        {
            _w = w; _x = x; _xq = xq; _xqRow = xqRow; _batch = batch; _y = y;
        }

        public void Clear()
        {
            _x = default; _xq = default; _y = default;
        }

        public unsafe void Execute(int start, int end, int worker)
        {
            var w = _w;
            int cols = w.Cols, rows = w.Rows;
            ReadOnlySpan<byte> xAll = XIsFloat ? MemoryMarshal.AsBytes(_x.Span) : _xq.Span;
            int xRow = XIsFloat ? cols * sizeof(float) : _xqRow;
            _ = xAll[..(_batch * xRow)];
            var y = _y.Span[..(_batch * rows)];
            fixed (byte* x = xAll)
            fixed (float* yp = y)
                w.Format.DotTile(w.Data + start * w.RowBytes, w.RowBytes, end - start, x, xRow, _batch, cols, yp + start, rows);
        }
    }
}
