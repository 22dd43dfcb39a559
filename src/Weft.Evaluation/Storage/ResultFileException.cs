namespace Weft.Evaluation.Storage;

/// <summary>A results file (the `--json` document) that cannot be read: names the file and, where known, the line.</summary>
public sealed class ResultFileException(string message, Exception? inner = null) : Exception(message, inner);
