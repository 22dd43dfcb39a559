// Where a task's documents come from and how they are laid out: the `dataset:` block of a task file.
namespace Weft.Evaluation.Data;

public sealed record DatasetSpec
{
    /// <summary>jsonl | json | csv | tsv | parquet | hellaswag_text | hellaswag_jsonl | text | kjv_verses.</summary>
    public string Format { get; init; } = "jsonl";
    /// <summary>The file's usual name (found in the data folder or the download cache); `.gz` is read through gzip.</summary>
    public string? File { get; init; }
    /// <summary>Optional file with one label per line, same order as the rows; each row gets it as field `label`
    /// (an integer when it parses as one, else the text).</summary>
    public string? Labels { get; init; }
    /// <summary>Column names of a CSV/TSV file without a header row; null: the first row is the header.</summary>
    public IReadOnlyList<string>? Columns { get; init; }
    /// <summary>For json: the property of the top-level object holding the array of rows (null: the top level is the array).</summary>
    public string? Field { get; init; }
    /// <summary>Canonical source, downloaded into the cache when no local copy is given.</summary>
    public string? Url { get; init; }
    /// <summary>Canonical source of <see cref="Labels"/>, downloaded beside the data when no local copy is found.</summary>
    public string? LabelsUrl { get; init; }
    /// <summary>sha256 (hex) of the canonical file, checked after a download.</summary>
    public string? Sha256 { get; init; }
    /// <summary>Which published split this is (validation, test): shown in reports.</summary>
    public string? Split { get; init; }
    /// <summary>Format-specific settings (e.g. kjv_verses: books), passed to the reader as given.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
}
