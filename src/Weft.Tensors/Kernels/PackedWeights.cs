// Owns the packed copies of a model's weight matrices (native memory, freed on dispose).
using System.Buffers;
using System.Runtime.InteropServices;
using Weft.Tensors.Quantization.Packed;

namespace Weft.Tensors.Kernels;

/// <summary>
/// Fills <paramref name="dst"/> with the matrix's stored bytes from byte <paramref name="offset"/> of its first row
/// on (rows are contiguous): how a loader hands over the rows to pack without touching its own mapping.
/// </summary>
public delegate void MatrixReader(long offset, Span<byte> dst);

public sealed unsafe class PackedWeights : IDisposable
{
    /// <summary>Groups packed per read: large enough for sequential reads, small enough to spread over threads.</summary>
    private const int GroupsPerSlice = 64;

    private readonly List<nint> _blocks = [];
    private readonly Lock _gate = new();

    /// <summary>Bytes held.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// <paramref name="m"/> with its whole groups of eight rows packed, when its format has a packing on this machine,
    /// it has at least eight rows and the packing takes its values; otherwise <paramref name="m"/> itself. The rows come from
    /// <paramref name="read"/>, or from <see cref="QMatrix.Data"/> when it is null.
    /// </summary>
    public QMatrix Pack(in QMatrix m, MatrixReader? read = null)
    {
        var packing = RowPacking.For(m.Type);
        if (packing == null || m.IsEmpty || m.Rows < RowPacking.GroupRows || m.Packing != null) return m;
        int groups = m.Rows / RowPacking.GroupRows;
        long groupBytes = packing.GroupBytes(m.Cols);
        byte* dst = (byte*)NativeMemory.AlignedAlloc((nuint)(groups * groupBytes), 64);
        lock (_gate)
        {
            _blocks.Add((nint)dst);
            Bytes += groups * groupBytes;
        }
        bool refused = false;
        byte* src = m.Data;
        long rowBytes = m.RowBytes;
        int cols = m.Cols;
        int slices = (groups + GroupsPerSlice - 1) / GroupsPerSlice;
        Parallel.For(0, slices, s =>
        {
            int g0 = s * GroupsPerSlice, g1 = Math.Min(groups, g0 + GroupsPerSlice);
            long offset = g0 * groupBytes, length = (g1 - g0) * groupBytes;
            byte* rows = src + offset;
            byte[]? staging = null;
            if (read != null)
            {
                staging = ArrayPool<byte>.Shared.Rent((int)length);
                read(offset, staging.AsSpan(0, (int)length));
            }
            fixed (byte* st = staging)
            {
                if (st != null) rows = st;
                for (int g = g0; g < g1; g++)
                    if (!packing.Pack(rows + (g - g0) * groupBytes, rowBytes, cols, dst + g * groupBytes)) Volatile.Write(ref refused, true);
            }
            if (staging != null) ArrayPool<byte>.Shared.Return(staging);
        });
        if (refused)
        {
            lock (_gate)
            {
                _blocks.Remove((nint)dst);
                Bytes -= groups * groupBytes;
            }
            NativeMemory.AlignedFree(dst);
            return m;
        }
        return m.WithPacked(packing, dst);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var p in _blocks) NativeMemory.AlignedFree((void*)p);
            _blocks.Clear();
            Bytes = 0;
        }
    }
}
