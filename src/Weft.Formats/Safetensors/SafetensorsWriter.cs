// Writes safetensors files: the JSON header (tensors in the order added, data packed back to back, header padded
// with spaces to a multiple of 8 bytes), then the data; written to a temporary name, then renamed.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Weft.Formats.Safetensors;

public sealed class SafetensorsWriter
{
    private readonly List<(string Name, SafetensorsDtype Dtype, long[] Shape, byte[] Data)> _tensors = new();
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    public SafetensorsWriter SetMetadata(string key, string value)
    {
        _metadata[key] = value;
        return this;
    }

    /// <param name="shape">safetensors order: the last dimension is contiguous.</param>
    public SafetensorsWriter Add(string name, SafetensorsDtype dtype, long[] shape, byte[] data)
    {
        if (name == SafetensorsFile.MetadataKey || _tensors.Any(t => t.Name == name))
            throw new ArgumentException($"tensor name '{name}' is taken");
        long expected = shape.Aggregate(1L, (a, b) => a * b) * SafetensorsDtypes.Size(dtype);
        if (data.Length != expected) throw new ArgumentException($"tensor '{name}': {data.Length} bytes given, {expected} expected");
        _tensors.Add((name, dtype, (long[])shape.Clone(), data));
        return this;
    }

    public SafetensorsWriter AddF32(string name, long[] shape, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return Add(name, SafetensorsDtype.F32, shape, bytes);
    }

    public byte[] Header()
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms))
        {
            j.WriteStartObject();
            if (_metadata.Count > 0)
            {
                j.WriteStartObject(SafetensorsFile.MetadataKey);
                foreach (var (k, v) in _metadata) j.WriteString(k, v);
                j.WriteEndObject();
            }
            long at = 0;
            foreach (var t in _tensors)
            {
                j.WriteStartObject(t.Name);
                j.WriteString("dtype", t.Dtype.ToString());
                j.WriteStartArray("shape");
                foreach (long d in t.Shape) j.WriteNumberValue(d);
                j.WriteEndArray();
                j.WriteStartArray("data_offsets");
                j.WriteNumberValue(at);
                j.WriteNumberValue(at + t.Data.Length);
                j.WriteEndArray();
                j.WriteEndObject();
                at += t.Data.Length;
            }
            j.WriteEndObject();
        }
        var header = ms.ToArray();
        int padded = (header.Length + 7) / 8 * 8;
        var result = new byte[padded];
        header.CopyTo(result, 0);
        result.AsSpan(header.Length).Fill((byte)' ');
        return result;
    }

    public void Write(string path)
    {
        string tmp = path + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                var header = Header();
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
                fs.Write(len);
                fs.Write(header);
                foreach (var t in _tensors) fs.Write(t.Data);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>The JSON of a model.safetensors.index.json naming each tensor's shard.</summary>
    public static string IndexJson(IReadOnlyDictionary<string, string> weightMap, long totalSize)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteStartObject("metadata");
            j.WriteNumber("total_size", totalSize);
            j.WriteEndObject();
            j.WriteStartObject("weight_map");
            foreach (var (k, v) in weightMap) j.WriteString(k, v);
            j.WriteEndObject();
            j.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
