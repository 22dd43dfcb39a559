// The one place that maps a GGUF architecture name to its definition.
namespace Weft.Models.Architectures;

public static class ArchitectureRegistry
{
    private static readonly Dictionary<string, Architecture> ByName = new Architecture[]
    {
        new Llama(),
        new Falcon(),
        new Qwen2(),
        new Olmo(),
        new Olmo2(),
        new Gemma2(),
        new Phi3(),
    }.ToDictionary(a => a.Name, StringComparer.Ordinal);

    public static IEnumerable<string> Names => ByName.Keys.Order(StringComparer.Ordinal);

    public static Architecture Get(string name, string path) =>
        ByName.TryGetValue(name, out var a)
            ? a
            : throw new UnsupportedModelException($"{path}: architecture '{name}' is not supported (supported: {string.Join(", ", Names)})");
}
