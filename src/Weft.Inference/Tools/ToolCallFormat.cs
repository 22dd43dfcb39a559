// How a chat template writes an assistant's function calls, as found by rendering probe conversations (ToolFormatDetector):
// markers around and between calls, and either a JSON object holding name and arguments or a name followed by the arguments.
namespace Weft.Inference.Tools;

public enum ToolCallLayout
{
    /// <summary>One JSON object per call, the name and the arguments under two keys: {"name": …, "arguments": {…}}.</summary>
    JsonObject,
    /// <summary>The name as bare text, a separator, then the arguments' JSON: &gt;&gt;&gt;name\n{…} or &lt;function=name&gt;{…}.</summary>
    NameThenArguments,
}

public sealed record ToolCallFormat
{
    /// <summary>What opens the first call ("&lt;tool_call&gt;\n", "[TOOL_CALLS][", or "" when a call is a bare object at the start).</summary>
    /// <summary>Markers may hold <see cref="IdPlaceholder"/>.</summary>
    public required string Opening { get; init; }
    /// <summary>What stands between two calls; null when the template renders one call per message only.</summary>
    public string? Between { get; init; }
    /// <summary>What closes the last call ("\n&lt;/tool_call&gt;", "]", or "").</summary>
    public required string Closing { get; init; }
    public required ToolCallLayout Layout { get; init; }
    /// <summary>JSON layout: the key of the name ("name").</summary>
    public string NameKey { get; init; } = "name";
    /// <summary>JSON layout: the key of the arguments ("arguments", Llama 3.1's "parameters").</summary>
    public string ArgumentsKey { get; init; } = "arguments";
    /// <summary>JSON layout: the key of the call's id when the template writes one (Mistral's "id").</summary>
    public string? IdKey { get; init; }
    /// <summary>Name layout: the text between the name and the arguments ("\n", "&gt;").</summary>
    public string NameSeparator { get; init; } = "";
    /// <summary>JSON layout: the object's text up to the arguments' value, the name replaced by {0} (a named call's prefill);
    /// null when the arguments come before the name.</summary>
    public string? Head { get; init; }
    /// <summary>JSON layout: the object's text after the arguments' value ("}").</summary>
    public string Tail { get; init; } = "}";
    /// <summary>Text a plain answer starts with in this template (Functionary's "all\n"), stripped from content.</summary>
    public string ContentPrefix { get; init; } = "";
    /// <summary>The template reads a call's arguments as JSON text (concatenates them), not as an object.</summary>
    public bool ArgumentsAsText { get; init; }
    /// <summary>The template needs "" rather than null as the content of a message that only calls functions.</summary>
    public bool EmptyContentAsText { get; init; }
    /// <summary>Found by the fallback (the template uses tools but renders no probe call): a bare JSON object.</summary>
    public bool Fallback { get; init; }

    /// <summary>The fallback: {"name": …, "arguments": …} at the start of the answer.</summary>
    public static ToolCallFormat PlainJson { get; } = new()
    {
        Opening = "", Closing = "", Between = null, Layout = ToolCallLayout.JsonObject, Head = "{\"name\": \"{0}\", \"arguments\": ", Fallback = true,
    };

    /// <summary>Text to put after the generation prompt so the model must write a call: the opening marker (and in the
    /// JSON layout the object's text up to the name), and for a named function its name up to the arguments.</summary>
    public string Prefill(string? name, string id)
    {
        string opening = Opening.Replace(IdPlaceholder, id, StringComparison.Ordinal);
        // any call: up to the name where the object starts with it (Llama's bare object has no marker to prefill)
        if (name == null)
            return Layout == ToolCallLayout.JsonObject && Head != null ? opening + Head[..Head.IndexOf("{0}", StringComparison.Ordinal)] : opening;
        if (Layout == ToolCallLayout.NameThenArguments) return opening + name + NameSeparator.Replace(IdPlaceholder, id, StringComparison.Ordinal);
        if (Head == null) return opening;
        string quoted = System.Text.Json.JsonSerializer.Serialize(name)[1..^1];
        return opening + Head.Replace("{0}", quoted, StringComparison.Ordinal).Replace(IdPlaceholder, id, StringComparison.Ordinal);
    }

    /// <summary>The text after a call's arguments that ends the call and the list (the object's tail and the closing marker).</summary>
    public string End(string id) => Layout == ToolCallLayout.JsonObject ? Tail.Replace(IdPlaceholder, id, StringComparison.Ordinal) + Closing : Closing;

    /// <summary>Where a marker holds the call's id (Mistral Small's [CALL_ID]…[ARGS]); it matches a run of letters, digits, '_' and '-'.</summary>
    public const string IdPlaceholder = "{id}";
}
