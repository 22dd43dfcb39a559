// What one evaluation run produces: per (model, task) metrics and items, per model its facts, speed and cost.
// Serialized as the `--json` file: {"models":[ModelFacts…], "runs":[TaskRun…]}.
using System.Text.Json.Serialization;

namespace Weft.Evaluation.Results;

/// <summary>One scored item of a multiple-choice task (per choice: summed log-likelihood and continuation tokens),
/// or of a generate-until task (<see cref="Pred"/> is 1 when the answer matched, <see cref="Output"/> the text).</summary>
public sealed record ItemResult(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("gold")] int Gold,
    [property: JsonPropertyName("pred")] int Pred,
    [property: JsonPropertyName("ll")] double[] Ll,
    [property: JsonPropertyName("n_tokens")] int[] NTokens,
    [property: JsonPropertyName("output"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Output = null);

/// <summary>The result of one task on one model. <see cref="Metrics"/> names follow lm-evaluation-harness where it has
/// them (acc, acc_stderr, acc_norm, ppl, word_perplexity, bits_per_byte, …) and llama-perplexity's otherwise
/// (kld_mean, same_top, …); <see cref="Primary"/> names the one the leaderboard ranks by.</summary>
public sealed record TaskRun(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("task_version")] string TaskVersion,
    [property: JsonPropertyName("primary")] string Primary,
    [property: JsonPropertyName("higher_is_better")] bool HigherIsBetter,
    [property: JsonPropertyName("metrics")] IReadOnlyDictionary<string, double> Metrics,
    [property: JsonPropertyName("items")] IReadOnlyList<ItemResult> Items,
    [property: JsonPropertyName("n")] int Count,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("finished")] DateTimeOffset Finished,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

/// <summary>What is known of a model beside its scores: where it is, how big, how fast here, what it costs.
/// Speeds are tokens per second measured on this machine (local) or over the wire (remote); costs are USD per
/// million tokens: for local models the machine's price per hour over the measured throughput, for remote ones the
/// declared price. Blended = (3 · input + output) / 4.</summary>
public sealed record ModelFacts(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("file_bytes")] long? FileBytes,
    [property: JsonPropertyName("parameters")] long? Parameters,
    [property: JsonPropertyName("weight_type")] string? WeightType,
    [property: JsonPropertyName("prompt_tps")] double? PromptTps,
    [property: JsonPropertyName("gen_tps")] double? GenTps,
    [property: JsonPropertyName("ttft_ms")] double? TtftMs,
    [property: JsonPropertyName("cost_input")] double? CostInput,
    [property: JsonPropertyName("cost_output")] double? CostOutput,
    [property: JsonPropertyName("cost_blended")] double? CostBlended,
    [property: JsonPropertyName("machine")] string? Machine,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

/// <summary>The whole `--json` document.</summary>
public sealed record EvalReport(
    [property: JsonPropertyName("models")] IReadOnlyList<ModelFacts> Models,
    [property: JsonPropertyName("runs")] IReadOnlyList<TaskRun> Runs);
