// The openness scorecard: five components, each verified/declared/absent/unknown, with the MOF class and an index.
using Weft.Catalog.Catalog;

namespace Weft.Catalog.Openness;

/// <summary>How the openness of one component is known.</summary>
public enum OpennessStatus { Unknown, Absent, Declared, Verified }

/// <summary>One component's status and its evidence (a URL or the file checked).</summary>
public sealed record ComponentScore(string Component, OpennessStatus Status, string? Evidence, string? Note);

/// <summary>The five components of a fully open model (training data, full weights, evaluation code, fine-tuning code, training metrics).</summary>
public sealed record Scorecard(IReadOnlyList<ComponentScore> Components, bool OpenLicense)
{
    /// <summary>Component names in the fixed order.</summary>
    public static readonly IReadOnlyList<string> Names = ["training_data", "weights", "eval_code", "finetune_code", "training_metrics"];

    /// <summary>Licences the Model Openness Framework accepts as open (OSI-approved or open data/content licences).</summary>
    public static readonly IReadOnlySet<string> OpenLicenses = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Apache-2.0", "MIT", "BSD-2-Clause", "BSD-3-Clause", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "ODC-By-1.0", "MPL-2.0", "GPL-3.0", "LGPL-3.0", "Unlicense",
    };

    public ComponentScore this[string component] => Components.First(c => c.Component == component);

    /// <summary>Components verified or declared.</summary>
    public int OpenCount => Components.Count(c => c.Status is OpennessStatus.Verified or OpennessStatus.Declared);
    public int VerifiedCount => Components.Count(c => c.Status == OpennessStatus.Verified);

    private bool Open(string c) => this[c].Status is OpennessStatus.Verified or OpennessStatus.Declared;

    /// <summary>Model Openness Framework class: "III Open Model", "II Open Tooling", "I Open Science", or null when not even class III.</summary>
    public string? MofClass =>
        !OpenLicense || !Open("weights") ? null
        : !Open("eval_code") || !Open("finetune_code") ? "III Open Model"
        : !Open("training_data") || !Open("training_metrics") ? "II Open Tooling"
        : "I Open Science";

    /// <summary>Points of one component, 0-3: verified 3, declared 2 (1 for weights under a licence that is not open), absent or unknown 0.</summary>
    public int Points(ComponentScore c) => c.Status switch
    {
        OpennessStatus.Verified => 3,
        OpennessStatus.Declared => c.Component == "weights" && !OpenLicense ? 1 : 2,
        _ => 0,
    };

    /// <summary>Openness index 0-100: the components' points over the 15 possible.</summary>
    public int Index => (int)Math.Round(Components.Sum(Points) * 100.0 / (3 * Names.Count));

    /// <summary>The scorecard a catalog entry's declared evidence gives.</summary>
    public static Scorecard FromCatalog(CatalogEntry e) => new(
        [.. ModelCatalog.Components(e.Openness).Select(c => new ComponentScore(c.Name, Parse(c.Evidence.Status), c.Evidence.Source, c.Evidence.Note))],
        IsOpenLicense(e.License.Id));

    public static bool IsOpenLicense(string? id) => id != null && OpenLicenses.Contains(id);

    private static OpennessStatus Parse(string s) => s switch
    {
        "declared" => OpennessStatus.Declared,
        "absent" => OpennessStatus.Absent,
        "verified" => OpennessStatus.Verified,
        _ => OpennessStatus.Unknown,
    };
}
