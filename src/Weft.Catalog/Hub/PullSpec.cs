// What `weft pull` was asked for: a Hugging Face file, a quant type in a Hugging Face repo, or an Ollama model.
using System.Text.RegularExpressions;

namespace Weft.Catalog.Hub;

/// <summary>Where a pull comes from.</summary>
public enum PullSource { HuggingFace, Ollama }

/// <summary>
/// A parsed pull spec. Hugging Face: <see cref="Repo"/> with either <see cref="File"/> or <see cref="Quant"/>;
/// Ollama: <see cref="Repo"/> is "namespace/name" and <see cref="Revision"/> the tag.
/// </summary>
public sealed partial record PullSpec(PullSource Source, string Repo, string Revision, string? File, string? Quant)
{
    /// <summary>The forms <see cref="Parse"/> accepts, for error messages and help text.</summary>
    public const string ValidForms =
        "hf://OWNER/REPO/PATH/FILE.gguf, hf://OWNER/REPO@REVISION/PATH/FILE.gguf, OWNER/REPO:QUANT (e.g. TheBloke/Mistral-7B-v0.1-GGUF:Q4_K_M), ollama://NAME:TAG or ollama://NAMESPACE/NAME:TAG";

    /// <summary>The revision used when none is given.</summary>
    public const string DefaultRevision = "main";

    /// <summary>Parses a spec; <paramref name="revision"/> (from --revision) overrides one written in the spec.</summary>
    public static PullSpec Parse(string text, string? revision = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        if (s.StartsWith("hf://", StringComparison.OrdinalIgnoreCase)) return ParseHf(text, s[5..], revision);
        if (s.StartsWith("ollama://", StringComparison.OrdinalIgnoreCase)) return ParseOllama(text, s[9..], revision);
        var m = RepoQuant().Match(s);
        if (m.Success)
            return new PullSpec(PullSource.HuggingFace, m.Groups[1].Value, revision ?? DefaultRevision, null, m.Groups[2].Value);
        throw Bad(text, "it is none of the known forms");
    }

    private static PullSpec ParseHf(string original, string rest, string? revision)
    {
        var parts = rest.Split('/');
        if (parts.Length < 3 || parts.Any(p => p.Length == 0 || p == "." || p == ".."))
            throw Bad(original, "hf:// needs OWNER/REPO followed by the path of a file in the repository");
        string repoName = parts[1];
        string? rev = null;
        int at = repoName.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            rev = repoName[(at + 1)..];
            repoName = repoName[..at];
            if (rev.Length == 0 || repoName.Length == 0) throw Bad(original, "'@' must separate a repository name and a revision");
        }
        if (!NamePart().IsMatch(parts[0]) || !NamePart().IsMatch(repoName))
            throw Bad(original, $"'{parts[0]}/{repoName}' is not a repository id");
        string file = string.Join('/', parts[2..]);
        return new PullSpec(PullSource.HuggingFace, $"{parts[0]}/{repoName}", revision ?? rev ?? DefaultRevision, file, null);
    }

    private static PullSpec ParseOllama(string original, string rest, string? revision)
    {
        string tag = "latest";
        int colon = rest.LastIndexOf(':');
        if (colon >= 0) { tag = rest[(colon + 1)..]; rest = rest[..colon]; }
        var parts = rest.Split('/');
        if (parts.Length > 2 || parts.Any(p => !NamePart().IsMatch(p)) || !NamePart().IsMatch(tag))
            throw Bad(original, "ollama:// needs NAME:TAG or NAMESPACE/NAME:TAG");
        string repo = parts.Length == 1 ? $"library/{parts[0]}" : rest;
        return new PullSpec(PullSource.Ollama, repo, revision ?? tag, null, null);
    }

    private static HubException Bad(string spec, string why) =>
        new($"cannot pull '{spec}': {why}; valid forms are {ValidForms}");

    /// <summary>"hf://owner/repo@rev/file", "owner/repo:Q4_K_M" or "ollama://ns/name:tag", as parsed.</summary>
    public override string ToString() => Source == PullSource.Ollama
        ? $"ollama://{Repo}:{Revision}"
        : File != null ? $"hf://{Repo}@{Revision}/{File}" : $"{Repo}:{Quant}";

    [GeneratedRegex(@"^([A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*):([A-Za-z0-9_]+)$")]
    private static partial Regex RepoQuant();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePart();
}
