// What one `weft eval` run asks for, besides the models.
using Weft.Evaluation.Tasks;

namespace Weft.Evaluation.Running;

public sealed record EvalOptions
{
    public required IReadOnlyList<TaskDefinition> Tasks { get; init; }

    /// <summary>Items per task (multiple choice, generation, rolling documents) or chunks (perplexity, KLD); null: all.</summary>
    public int? Limit { get; init; }

    /// <summary>Task name → data file (`--data FILE` for every task is the "" key).</summary>
    public IReadOnlyDictionary<string, string> DataFiles { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> DataFolders { get; init; } = TaskData.DefaultFolders();

    /// <summary>How a task file found in no data folder is downloaded from the task's URL; null: never.</summary>
    public DataDownload? Download { get; init; }

    /// <summary>Perplexity and KLD chunk length (`--ctx`); null: the task's own, else 512 (llama-perplexity's default).</summary>
    public int? Context { get; init; }

    /// <summary>The base model of KL divergence on perplexity tasks (`--kld-base`).</summary>
    public ModelSpec? KldBase { get; init; }

    public int Threads { get; init; }

    /// <summary>Measure prompt and generation speed of each local model (and time to first token of remote ones).</summary>
    public bool MeasureSpeed { get; init; } = true;

    /// <summary>USD per hour of this machine, for the cost per million tokens of local models.</summary>
    public double PricePerHour { get; init; } = Reports.Cost.DefaultPricePerHour;

    /// <summary>Declared price of remote endpoints, USD per million input and output tokens.</summary>
    public (double Input, double Output)? RemotePrice { get; init; }

    /// <summary>The API key of remote endpoints (read from the environment by the caller).</summary>
    public string? ApiKey { get; init; }

    /// <summary>(model, task) pairs already finished (`--resume`): skipped.</summary>
    public Func<string, string, bool> AlreadyDone { get; init; } = (_, _) => false;
}
