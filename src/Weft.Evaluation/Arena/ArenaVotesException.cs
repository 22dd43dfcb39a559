namespace Weft.Evaluation.Arena;

/// <summary>A votes file that cannot be read: names the file and line, and what is wrong there.</summary>
public sealed class ArenaVotesException(string message, Exception? inner = null) : Exception(message, inner);
