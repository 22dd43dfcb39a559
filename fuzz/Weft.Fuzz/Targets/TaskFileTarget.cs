// Evaluation task files (YAML): fields, kinds and the document templates they name.
using Weft.Evaluation.Tasks;

namespace Weft.Fuzz.Targets;

public static class TaskFileTarget
{
    public static FuzzTarget Target { get; } = new("task-file", "TaskFile.Parse", Feed, [typeof(TaskFileException)]);

    private static void Feed(byte[] data) => TaskFile.Parse(Text.Of(data), "fuzz.yaml");
}
