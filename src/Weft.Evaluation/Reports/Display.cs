// How numbers look in tables and charts: invariant culture, digits by magnitude.
using System.Globalization;
using Weft.Evaluation.Results;

namespace Weft.Evaluation.Reports;

/// <summary>Formatting shared by the Markdown table, the HTML report and the charts.</summary>
public static class Display
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>4 significant-ish digits: 0.4567, 12.35, 1234.</summary>
    public static string Number(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? (v > 0 ? "∞" : "-∞")
        : Math.Abs(v) >= 1000 ? v.ToString("0", Inv)
        : Math.Abs(v) >= 100 ? v.ToString("0.0", Inv)
        : Math.Abs(v) >= 10 ? v.ToString("0.00", Inv)
        : v.ToString("0.0000", Inv);

    /// <summary>A run's primary value with "± stderr" when the run has `{primary}_stderr`; "failed" for a failed run.</summary>
    public static string Primary(TaskRun run)
    {
        if (run.Error != null) return "failed";
        if (!run.Metrics.TryGetValue(run.Primary, out double v)) return "—";
        return run.Metrics.TryGetValue(run.Primary + "_stderr", out double se) && double.IsFinite(se)
            ? $"{Number(v)} ± {Number(se)}" : Number(v);
    }

    /// <summary>Bytes as B, KiB, MiB or GiB.</summary>
    public static string Bytes(long? bytes)
    {
        if (bytes is not long b) return "—";
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return u == 0 ? $"{b} B" : v.ToString(v >= 100 ? "0" : "0.0", Inv) + " " + units[u];
    }

    public static string Optional(double? v) => v is double d ? Number(d) : "—";

    /// <summary>The task heading: name, primary metric and an arrow for its direction, e.g. "piqa acc ↑".</summary>
    public static string TaskHeading(string task, IEnumerable<TaskRun> runs)
    {
        var any = runs.FirstOrDefault(r => r.Task == task);
        return any == null ? task : $"{task} {any.Primary} {(any.HigherIsBetter ? "↑" : "↓")}";
    }
}
