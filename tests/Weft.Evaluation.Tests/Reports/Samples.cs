// Hand-made facts and runs for the report tests.
using Weft.Evaluation.Results;

namespace Weft.Evaluation.Tests.Reports;

internal static class Samples
{
    public static ModelFacts Facts(string name, long? bytes = 1000, double? gen = 10, double? cost = 1) =>
        new(name, "gguf", name + ".gguf", bytes, 100, "Q8_0", gen * 10, gen, null, cost, cost, cost, "test machine");

    public static TaskRun Run(string model, string task, double value, string primary = "acc", bool higher = true,
        DateTimeOffset? finished = null, string? error = null, double? stderr = null)
    {
        var metrics = new Dictionary<string, double> { [primary] = value };
        if (stderr is double se) metrics[primary + "_stderr"] = se;
        return new TaskRun(model, task, "1", primary, higher, metrics, [new ItemResult(0, 1, 1, [-1.0, -0.5], [2, 3])],
            1, 0.5, finished ?? DateTimeOffset.UnixEpoch, error);
    }
}
