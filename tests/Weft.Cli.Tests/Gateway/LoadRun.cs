// The outcomes of one gateway load run, sorted into completed, cut and failed, and its result table (aggregate
// tokens/s, TTFT p50/p99, errors, requests per replica, how soon the killed replica went out and came back).
using System.Globalization;
using System.Text;

namespace Weft.Cli.Tests.Gateway;

public sealed record LoadRun(IReadOnlyList<LoadOutcome> All, double Seconds, double KillMs, double RestartMs, double BackMs,
    double OutAfter, double InAfter, double VictimFailures, QueueWatch Watch)
{
    public IReadOnlyList<LoadOutcome> Done => [.. All.Where(o => o.Kind == "done")];
    public IReadOnlyList<LoadOutcome> Cut => [.. All.Where(o => o.Kind == "error-event")];
    public IReadOnlyList<LoadOutcome> Failed => [.. All.Where(o => o.Kind is not ("done" or "error-event"))];
    /// <summary>Attempts the killed replica failed that did not reach the caller: retried on another replica.</summary>
    public int Retried => (int)VictimFailures - Cut.Count;

    public string Table(int clients, int slots, int maxTokens, double seconds)
    {
        var ttft = All.Where(o => o.TtftMs != null).Select(o => o.TtftMs!.Value).Order().ToList();
        long tokens = All.Sum(o => (long)o.Tokens);
        var perReplica = All.Where(o => o.Replica != null).GroupBy(o => o.Replica!).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}");
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"gateway load ({seconds:0} s asked, {Seconds:0.0} s run): {clients} streaming clients, 3 weft serve replicas of weft-tiny ({slots} slots, 1 thread each), {maxTokens} tokens a request; r2 killed at {KillMs / 1000:0.0} s, restarted at {RestartMs / 1000:0.0} s");
        sb.AppendLine("| requests | completed | cut (error event) | retried elsewhere | failed or hung | aggregate tokens/s | TTFT p50 | TTFT p99 | r2 out after kill | r2 in after restart | requests per replica | idle-while-queued samples |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        sb.AppendLine(c, $"| {All.Count} | {Done.Count} | {Cut.Count} | {Retried} | {Failed.Count} | {tokens / Seconds:0} | {Percentile(ttft, 0.5):0} ms | {Percentile(ttft, 0.99):0} ms | {OutAfter:0.00} s | {InAfter:0.00} s | {string.Join(", ", perReplica)} | {Watch.Faults} of {Watch.Samples} (longest {Watch.LongestFaultSeconds:0.0} s) |");
        return sb.ToString();
    }

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}
