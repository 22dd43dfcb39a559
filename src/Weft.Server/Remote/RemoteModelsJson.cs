// The /v1/models entries of remote models: marked remote, with their replicas (up or out) and price; the same replica
// list marks a local model pooled with remote replicas of its id.
using System.Text.Json;

namespace Weft.Server.Remote;

internal static class RemoteModelsJson
{
    public static void Write(Utf8JsonWriter w, string id, IReadOnlyList<RemoteEndpoint> replicas)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", "model");
        w.WriteNumber("created", 0);
        w.WriteString("owned_by", replicas[0].Name);
        w.WriteStartObject("meta");
        w.WriteBoolean("remote", true);
        Endpoints(w, "endpoints", replicas);
        // the model's price: the lowest any replica asks (replicas of one model normally ask the same)
        if (replicas.Where(r => r.Spec.Price != null).Select(r => r.Spec.Price!).MinBy(p => p.Input + p.Output) is { } price)
        {
            w.WritePropertyName("price");
            Price(w, price);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The replicas as an array property: name, url, up, outstanding, free slots, problem, price.</summary>
    public static void Endpoints(Utf8JsonWriter w, string property, IReadOnlyList<RemoteEndpoint> replicas)
    {
        w.WriteStartArray(property);
        foreach (var r in replicas)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            w.WriteString("url", r.Spec.Base);
            w.WriteBoolean("up", r.Up);
            w.WriteNumber("outstanding", r.Outstanding);
            if (r.FreeSlots is int free) w.WriteNumber("free_slots", free);
            if (r.Problem != null) w.WriteString("problem", r.Problem);
            if (r.Spec.Price is { } p) { w.WritePropertyName("price"); Price(w, p); }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Price(Utf8JsonWriter w, Price p)
    {
        w.WriteStartObject();
        w.WriteNumber("input", p.Input);
        w.WriteNumber("output", p.Output);
        w.WriteString("unit", "USD per million tokens");
        w.WriteEndObject();
    }
}
