// The tasks that ship inside the assembly (Tasks/Builtin/*.yaml), and lookup of a task by name or file path.
using System.Reflection;

namespace Weft.Evaluation.Tasks;

public static class BuiltinTasks
{
    private const string Prefix = "Weft.Evaluation.Tasks.Builtin.";
    private static readonly Lazy<IReadOnlyDictionary<string, TaskDefinition>> All = new(LoadAll);

    public static IReadOnlyCollection<string> Names => All.Value.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>A built-in task by name, or a task file by path (a name that is neither is an error listing the built-ins).</summary>
    public static TaskDefinition Resolve(string nameOrPath)
    {
        if (All.Value.TryGetValue(nameOrPath, out var t)) return t;
        if (nameOrPath.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || nameOrPath.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || File.Exists(nameOrPath))
            return TaskFile.Load(nameOrPath);
        throw new TaskFileException($"unknown task '{nameOrPath}': built-in tasks are {string.Join(", ", Names)}; or give a task file (.yaml)");
    }

    private static IReadOnlyDictionary<string, TaskDefinition> LoadAll()
    {
        var asm = Assembly.GetExecutingAssembly();
        var tasks = new Dictionary<string, TaskDefinition>(StringComparer.Ordinal);
        foreach (var res in asm.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = asm.GetManifestResourceStream(res)!;
            using var reader = new StreamReader(stream);
            var task = TaskFile.Parse(reader.ReadToEnd(), "builtin:" + res[Prefix.Length..]);
            tasks.Add(task.Name, task);
        }
        return tasks;
    }
}
