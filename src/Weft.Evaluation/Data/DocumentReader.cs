// Reads a task's documents from its data file, whatever the layout (DatasetSpec.Format), each as a JSON object.
using System.Text.Json;

namespace Weft.Evaluation.Data;

public static class DocumentReader
{
    /// <summary>The formats <see cref="Read"/> knows, as DatasetSpec.Format spells them.</summary>
    public static IReadOnlyList<string> Formats { get; } =
        ["jsonl", "json", "csv", "tsv", "parquet", "hellaswag_text", "hellaswag_jsonl", "text", "kjv_verses"];

    /// <summary>Reads every row of <paramref name="path"/> as laid out by <paramref name="spec"/> (labels file, if the
    /// spec names one, at <paramref name="labelsPath"/>). Each document is a JSON object (a JsonElement that needs no
    /// disposing). Every file may be gzip-compressed. Throws TaskDataException naming file:line (file and row for
    /// Parquet) for anything that does not parse.</summary>
    public static IReadOnlyList<JsonElement> Read(DatasetSpec spec, string path, string? labelsPath = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(path);
        List<JsonElement> rows = spec.Format switch
        {
            "jsonl" => JsonRows.ReadLines(path).Select(r => r.Row).ToList(),
            "json" => JsonRows.ReadArray(path, spec.Field),
            "csv" => DelimitedRows.Read(path, ',', spec.Columns),
            "tsv" => DelimitedRows.Read(path, '\t', spec.Columns),
            "parquet" => ParquetRows.Read(path, DataFile.ReadBytes(path)),
            "hellaswag_text" => HellaSwagRows.ReadText(path),
            "hellaswag_jsonl" => HellaSwagRows.ReadJsonl(path),
            "text" => TextRows.Read(path, spec.Options),
            "kjv_verses" => KjvVerses.Parse(DataFile.ReadText(path), path, KjvVerses.Books(spec.Options, path)),
            _ => throw new TaskDataException($"{path}: dataset.format '{spec.Format}' is not known (use one of: {string.Join(", ", Formats)})"),
        };
        if (labelsPath != null) return LabelsFile.Join(rows, path, labelsPath);
        if (spec.Labels != null)
            throw new TaskDataException($"{path}: the dataset names a labels file ({spec.Labels}) but no path to it was given");
        return rows;
    }
}
