// A task's data could not be read: the message names the file, and the line or row where it went wrong.
namespace Weft.Evaluation.Data;

public sealed class TaskDataException(string message, Exception? inner = null) : Exception(message, inner);
