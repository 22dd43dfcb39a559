// The one set of JSON options results are written and read with (the --json file and the database's JSON columns).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Weft.Evaluation.Storage;

/// <summary>JSON options for evaluation results: documented field names (on the records), NaN and ±Infinity allowed
/// as named literals (a perplexity can overflow), and every constructor field required so a truncated file fails.</summary>
public static class ResultJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        WriteIndented = true,
    };

    /// <summary>The same without indentation, for database columns and one-line answers.</summary>
    public static JsonSerializerOptions Compact { get; } = new(Options) { WriteIndented = false };
}
