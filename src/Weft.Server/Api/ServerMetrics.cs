// Counters behind GET /metrics (Prometheus text format).
using System.Globalization;
using System.Text;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

public sealed class ServerMetrics
{
    private long _requests;
    private long _errors;
    private long _promptTokens;
    private long _generatedTokens;
    private long _promptTicks;
    private long _generationTicks;

    public void Request() => Interlocked.Increment(ref _requests);
    public void Error() => Interlocked.Increment(ref _errors);

    public void Generated(Weft.Inference.Generation.GenerationResult r)
    {
        Interlocked.Add(ref _promptTokens, r.PromptTokens);
        Interlocked.Add(ref _generatedTokens, r.Tokens.Count);
        Interlocked.Add(ref _promptTicks, r.PromptTime.Ticks);
        Interlocked.Add(ref _generationTicks, r.GenerationTime.Ticks);
    }

    public string Render(ModelPool pool, Remote.RemoteEndpoints? remote = null)
    {
        var loaded = pool.Loaded;
        var sb = new StringBuilder();
        void Metric(string name, string type, string help, double value)
        {
            sb.Append("# HELP weft_").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE weft_").Append(name).Append(' ').Append(type).Append('\n');
            sb.Append("weft_").Append(name).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
        Metric("requests_total", "counter", "API requests received", Interlocked.Read(ref _requests));
        Metric("request_errors_total", "counter", "API requests answered with an error", Interlocked.Read(ref _errors));
        Metric("prompt_tokens_total", "counter", "Prompt tokens evaluated", Interlocked.Read(ref _promptTokens));
        Metric("generated_tokens_total", "counter", "Tokens generated", Interlocked.Read(ref _generatedTokens));
        Metric("prompt_tokens_per_second", "gauge", "Prompt tokens per second of evaluation time, over all requests",
            PerSecond(Interlocked.Read(ref _promptTokens), Interlocked.Read(ref _promptTicks)));
        Metric("generated_tokens_per_second", "gauge", "Generated tokens per second of generation time, over all requests",
            PerSecond(Interlocked.Read(ref _generatedTokens), Interlocked.Read(ref _generationTicks)));
        Metric("queue_depth", "gauge", "Requests waiting for a slot", loaded.Sum(m => m.QueueDepth));
        Metric("busy_slots", "gauge", "Slots generating now", loaded.Sum(m => m.BusySlots));
        Metric("models_loaded", "gauge", "Models in memory", loaded.Count);
        Metric("prompt_tokens_evaluated", "gauge", "Prompt tokens the models in memory evaluated since they loaded (not those taken from a cache)", loaded.Sum(m => m.PromptTokensEvaluated));
        Metric("prompt_tokens_reused", "gauge", "Prompt tokens found in a slot's cache instead of evaluated, by the models in memory since they loaded", loaded.Sum(m => m.PromptTokensReused));
        Metric("prompt_tokens_copied", "gauge", "Of those, prompt tokens copied from another slot's cache", loaded.Sum(m => m.PromptTokensCopied));
        if (remote is { All.Count: > 0 }) RemoteMetrics(sb, remote.All);
        return sb.ToString();
    }

    /// <summary>Per remote endpoint, labelled endpoint="NAME": requests forwarded, errors, seconds spent, up, under way.</summary>
    private static void RemoteMetrics(StringBuilder sb, IReadOnlyList<Remote.RemoteEndpoint> endpoints)
    {
        void Family(string name, string type, string help, Func<Remote.RemoteEndpoint, double> value)
        {
            sb.Append("# HELP weft_remote_").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE weft_remote_").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var e in endpoints)
                sb.Append("weft_remote_").Append(name).Append("{endpoint=\"").Append(e.Name.Replace("\\", "\\\\").Replace("\"", "\\\""))
                    .Append("\"} ").Append(value(e).ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
        Family("requests_total", "counter", "Requests forwarded to the endpoint (each retry counts)", e => e.Requests);
        Family("errors_total", "counter", "Forwarded requests that failed or were answered with an error", e => e.Errors);
        Family("request_seconds_total", "counter", "Seconds forwarded requests took, summed (divide by requests for the mean)", e => e.Latency.TotalSeconds);
        Family("up", "gauge", "1 while the endpoint takes requests, 0 while it is out", e => e.Up ? 1 : 0);
        Family("outstanding", "gauge", "Requests under way at the endpoint", e => e.Outstanding);
    }

    private static double PerSecond(long count, long ticks) => ticks == 0 ? 0 : count / TimeSpan.FromTicks(ticks).TotalSeconds;
}
