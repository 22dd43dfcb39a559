// Options and parsing shared by several verbs.
using System.CommandLine;
using System.Globalization;

namespace Weft.Cli.Verbs;

internal static class Common
{
    public static Argument<string> ModelArgument() => new("MODEL") { Description = "a GGUF model file or a Hugging Face checkpoint folder" };

    /// <summary>MODEL that may be left out: then the bundled weft-tiny is used (<see cref="DefaultModel"/>).</summary>
    public static Argument<string?> OptionalModelArgument() => new("MODEL")
    {
        Description = "a GGUF model file or a Hugging Face checkpoint folder (default: the bundled weft-tiny)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Option<int> ThreadsOption() => new("--threads", "-t")
    {
        Description = "worker threads (default: all cores)",
        DefaultValueFactory = _ => Weft.Tensors.Threading.WorkerPool.DefaultThreadCount,
    };

    public static Option<int> ContextOption() => new("--ctx", "-c")
    {
        Description = "context size in tokens (default: the model's, at most 4096)",
    };

    /// <summary>Parses "1,2,3" (spaces allowed) into token ids.</summary>
    public static int[] ParseIds(string text, string what)
    {
        var parts = text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ids = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out ids[i]) || ids[i] < 0)
                throw new UsageException($"{what}: '{parts[i]}' is not a token id");
        }
        if (ids.Length == 0) throw new UsageException($"{what}: no token ids given");
        return ids;
    }
}
