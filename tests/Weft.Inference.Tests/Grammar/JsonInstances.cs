// Parses generated JSON allowing repeated keys (a context-free grammar cannot keep free-form keys apart, and
// System.Text.Json's JsonNode refuses them): the first of each key is kept and the repeats are reported.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Weft.Inference.Tests.Grammar;

public static class JsonInstances
{
    public static JsonNode? Parse(string text, out List<string> duplicates, string what)
    {
        duplicates = [];
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            Assert.Fail($"{what}: not JSON ({e.Message}): {text}");
            throw;
        }
        using (doc) return Convert(doc.RootElement, duplicates);
    }

    private static JsonNode? Convert(JsonElement e, List<string> duplicates)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var o = new JsonObject();
                foreach (var p in e.EnumerateObject())
                {
                    if (o.ContainsKey(p.Name)) { duplicates.Add(p.Name); continue; }
                    o[p.Name] = Convert(p.Value, duplicates);
                }
                return o;
            case JsonValueKind.Array:
                var a = new JsonArray();
                foreach (var item in e.EnumerateArray()) a.Add(Convert(item, duplicates));
                return a;
            default:
                return JsonNode.Parse(e.GetRawText());
        }
    }
}
