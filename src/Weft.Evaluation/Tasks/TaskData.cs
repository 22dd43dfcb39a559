// Finds and reads a task's documents: the file given on the command line, else the task's usual file name in the
// data folders, else a download of the task's URL into the data cache (unless offline), else (KJV tasks) Debian's
// `bible` program; then any derived documents.
using System.Globalization;
using System.Text.Json;
using Weft.Evaluation.Data;
using Weft.Evaluation.Storage;

namespace Weft.Evaluation.Tasks;

public static class TaskData
{
    /// <summary>Folders searched for a task's file: $WEFT_HOME/data (default ~/.weft/data), then the current folder.</summary>
    public static IReadOnlyList<string> DefaultFolders() => [WeftHome.DataFolder, "."];

    /// <param name="download">how to fetch a file that is not found locally; null: never download.</param>
    public static IReadOnlyList<JsonElement> Load(TaskDefinition task, string? file, IReadOnlyList<string> folders, DataDownload? download = null)
    {
        var spec = task.Dataset;
        IReadOnlyList<JsonElement> docs;
        if (spec.Format == "kjv_verses" && file == null && spec.File == null)
        {
            string text = KjvText.Load();
            docs = KjvVerses.Parse(text, "bible -f " + KjvText.WholeBible, KjvVerses.Books(spec.Options, task.Origin));
        }
        else
        {
            string path = file ?? Find(spec.File, folders)
                ?? TaskDownloader.Find(task.Name, "data", spec.File, spec.Url, spec.Sha256, download) ?? throw Missing(task, folders);
            string? labels = spec.Labels == null ? null
                : Find(spec.Labels, [Path.GetDirectoryName(Path.GetFullPath(path))!, .. folders])
                  ?? TaskDownloader.Find(task.Name, "labels", spec.Labels, spec.LabelsUrl, null, download)
                  ?? throw new TaskDataException($"{task.Name}: the labels file {spec.Labels} was not found beside {path} or in {string.Join(", ", folders)}");
            docs = DocumentReader.Read(spec with { Format = Sniff(spec.Format, path) }, path, labels);
        }
        return task.Derive switch
        {
            null => docs,
            "verse_choice" => VerseChoice.Build(docs, ulong.Parse(task.DeriveOptions.GetValueOrDefault("seed", "1234"), CultureInfo.InvariantCulture)),
            var d => throw new TaskFileException($"{task.Origin}: unknown derive '{d}' (verse_choice)"),
        };
    }

    /// <summary>HellaSwag's official JSONL where the task expects llama.cpp's text layout (or the other way round).</summary>
    private static string Sniff(string format, string path)
    {
        if (format is not ("hellaswag_text" or "hellaswag_jsonl")) return format;
        string name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        return name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? "hellaswag_jsonl"
            : name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) ? "hellaswag_text" : format;
    }

    private static string? Find(string? name, IReadOnlyList<string> folders)
    {
        if (name == null) return null;
        foreach (var dir in folders)
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    private static TaskDataException Missing(TaskDefinition task, IReadOnlyList<string> folders)
    {
        string where = task.Dataset.File == null ? "this task has no usual file name" : $"{task.Dataset.File} is not in {string.Join(", ", folders)}";
        string source = task.Dataset.Url == null ? "" : $" (published at {task.Dataset.Url})";
        return new TaskDataException($"{task.Name}: no data: {where}; give --data FILE or --data-dir DIR{source}");
    }
}
