// weft-tiny, the model Weft ships (models/weft-tiny in the repository, copied beside the binary at build): what
// `weft run`, `weft chat` and `weft serve` use when no model is named.
namespace Weft.Cli;

public static class DefaultModel
{
    public const string FileName = "weft-tiny.gguf";

    /// <summary>Where the build puts it: models/weft-tiny.gguf beside weft.dll.</summary>
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "models", FileName);

    /// <summary>The model a command was given, or weft-tiny when it was given none.</summary>
    public static string Resolve(string? given)
    {
        if (!string.IsNullOrEmpty(given)) return given;
        if (File.Exists(Path)) return Path;
        throw new UsageException($"no model given, and the bundled {FileName} is not at {Path} (rebuild Weft, or name a model file)");
    }
}
