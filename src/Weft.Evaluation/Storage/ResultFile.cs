// The --json file: {"models":[ModelFacts…], "runs":[TaskRun…]}, written whole under a temporary name then renamed.
using System.Text.Json;
using Weft.Evaluation.Results;

namespace Weft.Evaluation.Storage;

/// <summary>Writes and reads the `--json` results document.</summary>
public static class ResultFile
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="path"/>: a temporary file in the same folder, then a
    /// rename over the target, so a reader sees the old file or the new one, never half of one.</summary>
    public static void Write(string path, EvalReport report)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        string temp = full + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, report, ResultJson.Options);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Reads a document written by <see cref="Write"/>. Throws <see cref="ResultFileException"/> naming the
    /// file (and line) when it is not JSON, lacks a field, or holds a wrong type.</summary>
    public static EvalReport Read(string path)
    {
        if (!File.Exists(path)) throw new ResultFileException($"results file '{path}' does not exist");
        try
        {
            using var stream = File.OpenRead(path);
            var report = JsonSerializer.Deserialize<EvalReport>(stream, ResultJson.Options)
                ?? throw new ResultFileException($"results file '{path}' holds null instead of {{\"models\":[…],\"runs\":[…]}}");
            return report;
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $":{line + 1}" : "";
            throw new ResultFileException($"results file '{path}{where}' is malformed: {e.Message}", e);
        }
    }
}
