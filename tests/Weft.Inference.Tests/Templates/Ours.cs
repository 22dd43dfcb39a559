// Renders with our engine from the same JSON context the Jinja2 oracle gets; failures become results, as in the oracle.
using System.Text.Json;
using System.Text.Json.Nodes;
using Weft.Inference.Templates;

namespace Weft.Inference.Tests.Templates;

public static class Ours
{
    public static OracleResult Render(string template, JsonObject context, string? name = null)
    {
        try
        {
            using var doc = JsonDocument.Parse(context.ToJsonString());
            var ctx = ChatTemplateContext.FromJson(doc.RootElement, () => Jinja2Oracle.NowValue);
            return new OracleResult(true, ChatTemplate.Parse(template, name).Render(ctx));
        }
        catch (TemplateException e)
        {
            return new OracleResult(false, e.Message);
        }
    }

    /// <summary>Compares ours with the oracle: equal text when the oracle rendered, an error from us when it failed.</summary>
    public static string? Mismatch(OracleResult oracle, OracleResult ours)
    {
        if (oracle.Ok && ours.Ok && oracle.Text == ours.Text) return null;
        if (!oracle.Ok && !ours.Ok) return null;
        return $"jinja2: {(oracle.Ok ? "" : "ERROR ")}{JsonSerializer.Serialize(oracle.Text)}\n   ours: {(ours.Ok ? "" : "ERROR ")}{JsonSerializer.Serialize(ours.Text)}";
    }
}
