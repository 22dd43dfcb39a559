// The weights of a checkpoint folder: one model.safetensors, or shards listed by model.safetensors.index.json
// (weight_map: tensor name → shard file). Every shard is opened once and every mapped name checked against it.
using System.Text.Json;

namespace Weft.Formats.Safetensors;

public sealed class SafetensorsCheckpoint : IDisposable
{
    public const string SingleName = "model.safetensors";
    public const string IndexName = "model.safetensors.index.json";

    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsFile> _byTensor;

    public string Folder { get; }
    public IReadOnlyList<SafetensorsFile> Files => _files;
    public IEnumerable<string> TensorNames => _byTensor.Keys;

    private SafetensorsCheckpoint(string folder, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> byTensor)
    {
        Folder = folder;
        _files = files;
        _byTensor = byTensor;
    }

    public static bool IsCheckpoint(string folder) =>
        File.Exists(Path.Combine(folder, IndexName)) || File.Exists(Path.Combine(folder, SingleName));

    public static SafetensorsCheckpoint Open(string folder)
    {
        string index = Path.Combine(folder, IndexName);
        var files = new List<SafetensorsFile>();
        var byTensor = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(index))
            {
                foreach (var (tensor, shard) in ReadWeightMap(index))
                {
                    string shardPath = Path.Combine(folder, shard);
                    var file = files.FirstOrDefault(f => f.Path == shardPath);
                    if (file == null)
                    {
                        if (!File.Exists(shardPath))
                            throw new ModelFormatException($"{index}: tensor '{tensor}' is in shard '{shard}', which is missing from the folder");
                        file = SafetensorsFile.Open(shardPath);
                        files.Add(file);
                    }
                    if (file.Find(tensor) == null)
                        throw new ModelFormatException($"{index}: tensor '{tensor}' is mapped to '{shard}', which does not contain it");
                    byTensor[tensor] = file;
                }
            }
            else
            {
                string single = Path.Combine(folder, SingleName);
                if (!File.Exists(single))
                    throw new ModelFormatException($"{folder}: neither {SingleName} nor {IndexName} is there");
                var file = SafetensorsFile.Open(single);
                files.Add(file);
                foreach (var t in file.Tensors) byTensor[t.Name] = file;
            }
            return new SafetensorsCheckpoint(folder, files, byTensor);
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
    }

    private static List<(string Tensor, string Shard)> ReadWeightMap(string index)
    {
        var result = new List<(string, string)>();
        try
        {
            byte[] bytes = File.ReadAllBytes(index);
            using var doc = JsonDocument.Parse(bytes);
            long bad = JsonStrings.FirstInvalid(bytes);
            if (bad >= 0) throw new ModelFormatException($"{index}: the file holds a string that is not valid UTF-8 text, at byte {bad}");
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new ModelFormatException($"{index}: 'weight_map' is missing or not an object");
            foreach (var p in map.EnumerateObject())
            {
                string shard = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : "";
                // A shard is a file name inside the folder, never a path that leaves it.
                if (shard.Length == 0 || shard != Path.GetFileName(shard) || shard is "." or "..")
                    throw new ModelFormatException($"{index}: 'weight_map.{p.Name}' is not a file name in the folder");
                result.Add((p.Name, shard));
            }
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{index}: not valid JSON: {e.Message}");
        }
        catch (IOException e)
        {
            throw new ModelFormatException($"{index}: cannot read the file: {e.Message}");
        }
        return result;
    }

    /// <summary>The tensor and the file holding it, or null.</summary>
    public (SafetensorsFile File, SafetensorsTensor Tensor)? Find(string name) =>
        _byTensor.TryGetValue(name, out var f) ? (f, f.Find(name)!) : null;

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
