// An evaluation task as its file describes it (fields in the spirit of lm-evaluation-harness's task configs).
using Weft.Evaluation.Data;

namespace Weft.Evaluation.Tasks;

public enum TaskKind
{
    /// <summary>Choices scored by log-likelihood after the context: acc, acc_norm, llama.cpp's per-token score.</summary>
    MultipleChoice,
    /// <summary>llama-perplexity's method over the documents joined: chunks of the context size, second halves scored.</summary>
    Perplexity,
    /// <summary>lm-evaluation-harness's rolling log-likelihood per document: word and byte perplexity, bits per byte.</summary>
    RollingPerplexity,
    /// <summary>Greedy generation until a stop string; exact match after an optional regex extraction.</summary>
    GenerateUntil,
}

public sealed record TaskDefinition
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required TaskKind Kind { get; init; }
    public required DatasetSpec Dataset { get; init; }
    /// <summary>Template rendered per document and put once before the shots (e.g. MMLU's subject line).</summary>
    public string? Description { get; init; }
    /// <summary>Template: the context of a document (for multiple choice over contexts: unused).</summary>
    public string DocToText { get; init; } = "{{ text }}";
    /// <summary>Expression giving the list of choices (strings).</summary>
    public string? DocToChoice { get; init; }
    /// <summary>Expression giving the gold answer: an index into the choices, a choice's text, or (generation) the answer.</summary>
    public string? DocToTarget { get; init; }
    /// <summary>Template: with it, the choices are alternative contexts and this is the continuation scored after
    /// each (Winogrande's partial scoring).</summary>
    public string? DocToContinuation { get; init; }
    public string TargetDelimiter { get; init; } = " ";
    public string FewshotDelimiter { get; init; } = "\n\n";
    public int NumFewshot { get; init; }
    public int FewshotSeed { get; init; } = 1234;
    /// <summary>Derived documents (e.g. verse_choice) built from the read ones; null: as read.</summary>
    public string? Derive { get; init; }
    public IReadOnlyDictionary<string, string> DeriveOptions { get; init; } = new Dictionary<string, string>();
    public GenerationSpec Generation { get; init; } = new();
    /// <summary>The metric the leaderboard ranks by (default per kind: acc_norm, ppl, word_perplexity, exact_match).</summary>
    public string? Primary { get; init; }
    /// <summary>Perplexity: chunk size when the command line gives none (clipped to the model's context).</summary>
    public int? Context { get; init; }
    /// <summary>Where the file came from (built-in name or path), for messages.</summary>
    public string Origin { get; init; } = "";

    public string PrimaryMetric => Primary ?? Kind switch
    {
        TaskKind.MultipleChoice => "acc_norm",
        TaskKind.Perplexity => "ppl",
        TaskKind.RollingPerplexity => "word_perplexity",
        _ => "exact_match",
    };

    public bool HigherIsBetter => PrimaryMetric is not ("ppl" or "word_perplexity" or "byte_perplexity" or "bits_per_byte" or "kld_mean");
}

public sealed record GenerationSpec
{
    public IReadOnlyList<string> Until { get; init; } = ["\n\n"];
    public int MaxTokens { get; init; } = 256;
    /// <summary>Extracts the answer from the output (first match; group 1 when the pattern has one); no match: "[invalid]".</summary>
    public string? Regex { get; init; }
    /// <summary>Take the last match instead of the first (e.g. a final number).</summary>
    public bool LastMatch { get; init; }
    public bool IgnoreCase { get; init; }
    public bool IgnorePunctuation { get; init; }
}

/// <summary>A task file that cannot be used: the message names the file and what is wrong.</summary>
public sealed class TaskFileException(string message, Exception? inner = null) : Exception(message, inner);
