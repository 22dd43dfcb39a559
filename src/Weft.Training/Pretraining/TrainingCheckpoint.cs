// A training run's whole state in one file: every trained value, AdamW's moments and update count, and the next
// step (the data order is a function of the step, so nothing else is needed to resume bit for bit). Written to a
// temporary name and renamed, so an interruption leaves the previous checkpoint whole.
using System.Numerics;
using System.Runtime.InteropServices;
using Weft.Training.Optimization;

namespace Weft.Training.Pretraining;

public static class TrainingCheckpoint
{
    private const ulong Magic = 0x31_54_50_4B_43_54_46_57; // "WFTCKPT1"

    public static void Save<T>(string path, AdamW<T> optimizer, int step, string fingerprint) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var w = new BinaryWriter(f))
        {
            w.Write(Magic);
            w.Write(fingerprint);
            w.Write(step);
            w.Write(optimizer.Steps);
            var state = optimizer.State;
            w.Write(state.Count);
            foreach (var (p, m, v) in state)
            {
                w.Write(p.Name);
                w.Write(p.Value.Length);
                w.Write(MemoryMarshal.AsBytes<T>(p.Value));
                w.Write(MemoryMarshal.AsBytes<double>(m));
                w.Write(MemoryMarshal.AsBytes<double>(v));
            }
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Restores the values and moments; returns the step to continue from.</summary>
    public static int Load<T>(string path, AdamW<T> optimizer, string fingerprint) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var f = File.OpenRead(path);
        using var r = new BinaryReader(f);
        try
        {
            if (r.ReadUInt64() != Magic) throw new TrainingConfigException($"{path}: not a training checkpoint");
            string saved = r.ReadString();
            if (saved != fingerprint)
                throw new TrainingConfigException($"{path}: the checkpoint belongs to a different run (config or data changed); delete it to start over");
            int step = r.ReadInt32(), updates = r.ReadInt32(), count = r.ReadInt32();
            var state = optimizer.State;
            if (count != state.Count) throw new TrainingConfigException($"{path}: {count} parameters, the model has {state.Count}");
            foreach (var (p, m, v) in state)
            {
                string name = r.ReadString();
                int length = r.ReadInt32();
                if (name != p.Name || length != p.Value.Length)
                    throw new TrainingConfigException($"{path}: parameter {name} [{length}] does not match {p.Name} [{p.Value.Length}]");
                Fill(r, MemoryMarshal.AsBytes(p.Value.AsSpan()));
                Fill(r, MemoryMarshal.AsBytes(m.AsSpan()));
                Fill(r, MemoryMarshal.AsBytes(v.AsSpan()));
            }
            optimizer.Resume(updates);
            return step;
        }
        catch (EndOfStreamException)
        {
            throw new TrainingConfigException($"{path}: the checkpoint is truncated");
        }
    }

    private static void Fill(BinaryReader r, Span<byte> target)
    {
        while (target.Length > 0)
        {
            int n = r.Read(target);
            if (n == 0) throw new EndOfStreamException();
            target = target[n..];
        }
    }
}
