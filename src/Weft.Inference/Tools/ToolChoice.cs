// What a request lets the model do with its tools (OpenAI's tool_choice), and the text that makes a forced call happen.
using System.Security.Cryptography;
using System.Text.Json;

namespace Weft.Inference.Tools;

public enum ToolChoiceKind { None, Auto, Required, Named }

/// <param name="Name">the function a <see cref="ToolChoiceKind.Named"/> choice names</param>
public sealed record ToolChoice(ToolChoiceKind Kind, string? Name = null)
{
    public static readonly ToolChoice Auto = new(ToolChoiceKind.Auto);

    /// <summary>Text put after the generation prompt: nothing for auto; the opening marker for required; for a named
    /// function also its name up to the arguments, and, where <see cref="ConstrainedArguments"/> knows them, the whole call.</summary>
    public string Prefill(ToolCallFormat format, JsonElement? parameters, string id)
    {
        if (Kind is ToolChoiceKind.None or ToolChoiceKind.Auto) return "";
        if (Kind == ToolChoiceKind.Required) return format.Prefill(null, id);
        string head = format.Prefill(Name, id);
        bool reachesArguments = format.Layout == ToolCallLayout.NameThenArguments || format.Head != null;
        return reachesArguments && ConstrainedArguments(parameters) is { } args ? head + args + format.End(id) : head;
    }

    /// <summary>The arguments the parameter schema allows, when it allows only one text: "{}" for a function without
    /// parameters or declared properties. Null otherwise: the model writes them under <see cref="ToolCallGrammar"/>.</summary>
    public static string? ConstrainedArguments(JsonElement? parameters)
    {
        if (parameters is not { ValueKind: JsonValueKind.Object } p) return "{}";
        bool noProperties = !p.TryGetProperty("properties", out var props) || props.ValueKind != JsonValueKind.Object || !props.EnumerateObject().Any();
        return noProperties ? "{}" : null;
    }

    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A fresh call id: nine letters and digits, the only ids Mistral's templates accept back.</summary>
    public static string NewId() => RandomNumberGenerator.GetString(IdAlphabet, 9);
}
