// Training metrics as JSONL, one object per line: {"step","loss","val_loss"?,"lr","grad_norm","tokens_per_s","elapsed_s"}.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Weft.Training.Pretraining;

public sealed record MetricsRow
{
    [JsonPropertyName("step")] public int Step { get; init; }
    [JsonPropertyName("loss")] public double Loss { get; init; }
    [JsonPropertyName("val_loss")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ValidationLoss { get; init; }
    [JsonPropertyName("lr")] public double LearningRate { get; init; }
    [JsonPropertyName("grad_norm")] public double GradNorm { get; init; }
    [JsonPropertyName("tokens_per_s")] public double TokensPerSecond { get; init; }
    [JsonPropertyName("elapsed_s")] public double ElapsedSeconds { get; init; }
}

public static class MetricsLog
{
    public static string Format(MetricsRow row) => JsonSerializer.Serialize(row);

    public static List<MetricsRow> Read(string path)
    {
        var rows = new List<MetricsRow>();
        if (!File.Exists(path)) return rows;
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Trim().Length == 0) continue;
            try
            {
                rows.Add(JsonSerializer.Deserialize<MetricsRow>(text) ?? throw new JsonException("null"));
            }
            catch (JsonException e)
            {
                throw new TrainingConfigException(string.Create(CultureInfo.InvariantCulture, $"{path}:{line}: not a metrics row ({e.Message})"));
            }
        }
        return rows;
    }

    /// <summary>Keeps the rows up to <paramref name="lastStep"/> (a resumed run rewrites what came after its checkpoint);
    /// returns them.</summary>
    public static List<MetricsRow> TruncateAfter(string path, int lastStep)
    {
        var kept = Read(path).Where(r => r.Step <= lastStep).ToList();
        if (!File.Exists(path)) return kept;
        string tmp = path + ".tmp";
        File.WriteAllLines(tmp, kept.Select(Format));
        File.Move(tmp, path, overwrite: true);
        return kept;
    }
}
