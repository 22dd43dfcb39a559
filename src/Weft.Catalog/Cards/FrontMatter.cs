// The YAML front matter of a Hugging Face model card (README.md between two '---' lines).
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Weft.Catalog.Cards;

/// <summary>Reads the front matter of a README.md as a YAML mapping.</summary>
public static class FrontMatter
{
    /// <summary>The mapping, or null when the file has no front matter; malformed YAML throws naming the file and line.</summary>
    public static YamlMappingNode? Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].TrimEnd() != "---") return null;
        int end = Array.FindIndex(lines, 1, l => l.TrimEnd() is "---" or "...");
        if (end < 0) throw new CatalogException($"{path}:1: the front matter opened by '---' is never closed");
        string yaml = string.Join('\n', lines[1..end]);
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(yaml));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            // +1: the opening '---' line comes before the YAML text.
            throw new CatalogException($"{path}:{e.Start.Line + 1}: malformed front matter: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // The parser gave up mid-structure (an unclosed bracket, say): report where it was.
            long line = (parser.Current?.End.Line ?? 0) + 1;
            throw new CatalogException($"{path}:{line}: malformed front matter: an unclosed or misplaced structure", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" }) return null;
        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new CatalogException($"{path}:2: the front matter is not a mapping of keys to values");
    }

    /// <summary>A scalar value, or null.</summary>
    public static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode { Value: { Length: > 0 } s } ? s : null;

    /// <summary>A list of scalars; a single scalar is a list of one.</summary>
    public static List<string> List(YamlMappingNode map, string key)
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var v)) return [];
        return v switch
        {
            YamlScalarNode { Value: { Length: > 0 } s } => [s],
            YamlSequenceNode seq => [.. seq.Children.OfType<YamlScalarNode>().Select(n => n.Value).OfType<string>().Where(s => s.Length > 0)],
            _ => [],
        };
    }
}
