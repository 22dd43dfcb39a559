// weft inspect MODEL [--json]: metadata (long arrays abbreviated), the tensor table, parameter count, bytes per token.
using System.CommandLine;
using System.Text.Json;
using Weft.Formats.Gguf;
using Weft.Models;
using Weft.Tensors;

namespace Weft.Cli.Verbs;

internal static class InspectVerb
{
    public static Command Create()
    {
        var model = Common.ModelArgument();
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var cmd = new Command("inspect", "Show the metadata and tensors of a GGUF file") { model, json };
        cmd.SetAction(r =>
        {
            string path = r.GetValue(model)!;
            using var file = GgufFile.Open(path);
            long parameters = file.Tensors.Sum(t => t.ElementCount);
            long? perToken = null;
            string? loadError = null;
            try
            {
                using var m = Model.Load(path, [], pack: false);
                perToken = m.BytesPerToken;
            }
            catch (Exception e) when (e is Weft.Formats.ModelFormatException or UnsupportedModelException)
            {
                loadError = e.Message;
            }
            if (r.GetValue(json)) PrintJson(file, parameters, perToken, loadError);
            else PrintText(file, parameters, perToken, loadError);
            return 0;
        });
        return cmd;
    }

    private static void PrintText(GgufFile file, long parameters, long? perToken, string? loadError)
    {
        var o = Console.Out;
        o.WriteLine($"file: {file.Path}");
        o.WriteLine($"GGUF version {file.Version}, {file.FileLength:N0} bytes, alignment {file.Alignment}, data at {file.DataOffset}");
        o.WriteLine($"parameters: {parameters:N0}");
        if (perToken is long b) o.WriteLine($"weight bytes read per token: {b:N0}");
        if (loadError != null) o.WriteLine($"cannot run: {loadError}");
        o.WriteLine();
        o.WriteLine($"metadata ({file.Metadata.Count} keys):");
        foreach (var key in file.MetadataKeys) o.WriteLine($"  {key} = {file.Metadata[key].Display()}");
        o.WriteLine();
        o.WriteLine($"tensors ({file.Tensors.Count}):");
        int nameWidth = Math.Max(4, file.Tensors.Select(t => t.Name.Length).DefaultIfEmpty(4).Max());
        o.WriteLine($"  {"name".PadRight(nameWidth)}  {"type",-7}  {"shape",-22}  {"offset",14}  {"bytes",14}");
        foreach (var t in file.Tensors)
            o.WriteLine($"  {t.Name.PadRight(nameWidth)}  {TypeTraits.NameOf(t.Type),-7}  {t.ShapeText,-22}  {file.DataOffset + t.Offset,14}  {t.ByteSize,14}");
    }

    private static void PrintJson(GgufFile file, long parameters, long? perToken, string? loadError)
    {
        using var w = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("file", file.Path);
        w.WriteNumber("version", file.Version);
        w.WriteNumber("file_bytes", file.FileLength);
        w.WriteNumber("alignment", file.Alignment);
        w.WriteNumber("data_offset", file.DataOffset);
        w.WriteNumber("parameters", parameters);
        if (perToken is long b) w.WriteNumber("bytes_per_token", b);
        if (loadError != null) w.WriteString("error", loadError);
        w.WriteStartObject("metadata");
        foreach (var key in file.MetadataKeys) { w.WritePropertyName(key); WriteValue(w, file.Metadata[key].Value, 16); }
        w.WriteEndObject();
        w.WriteStartArray("tensors");
        foreach (var t in file.Tensors)
        {
            w.WriteStartObject();
            w.WriteString("name", t.Name);
            w.WriteString("type", TypeTraits.NameOf(t.Type));
            w.WriteStartArray("shape");
            foreach (long d in t.Shape) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteNumber("offset", file.DataOffset + t.Offset);
            w.WriteNumber("bytes", t.ByteSize);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        Console.WriteLine();
    }

    /// <summary>Arrays longer than <paramref name="maxItems"/> become {"length": n, "head": [...]}.</summary>
    private static void WriteValue(Utf8JsonWriter w, object v, int maxItems)
    {
        switch (v)
        {
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case float f when float.IsFinite(f): w.WriteNumberValue(f); break;
            case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
            case float or double: w.WriteStringValue(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)); break;
            case ulong u: w.WriteNumberValue(u); break;
            case GgufArray a:
                if (a.Count > maxItems)
                {
                    w.WriteStartObject();
                    w.WriteString("type", a.ElementType.ToString());
                    w.WriteNumber("length", a.Count);
                    w.WritePropertyName("head");
                    WriteItems(w, a, maxItems);
                    w.WriteEndObject();
                }
                else WriteItems(w, a, maxItems);
                break;
            default: w.WriteNumberValue(Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    private static void WriteItems(Utf8JsonWriter w, GgufArray a, int maxItems)
    {
        w.WriteStartArray();
        for (int i = 0; i < Math.Min(a.Count, maxItems); i++) WriteValue(w, a.Items.GetValue(i)!, maxItems);
        w.WriteEndArray();
    }
}
