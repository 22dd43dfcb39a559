// One call of a function the model asked for: OpenAI's {id, type: "function", function: {name, arguments}}.
namespace Weft.Inference.Tools;

/// <param name="Id">the call's id, sent back by the client with the result (role "tool", tool_call_id)</param>
/// <param name="Name">the function's name</param>
/// <param name="Arguments">the arguments as JSON text, as the model wrote them</param>
public sealed record ToolCall(string Id, string Name, string Arguments);

/// <summary>A piece of a streamed call, in OpenAI's delta shape: the first piece of a call carries its id and name,
/// later ones only more of the arguments text.</summary>
public readonly record struct ToolCallDelta(int Index, string? Id, string? Name, string Arguments);

/// <summary>A model's answer split into its text and its calls.</summary>
public sealed record ToolAnswer(string Content, IReadOnlyList<ToolCall> Calls);

/// <summary>What a streamed answer adds at one step: text to show, and pieces of calls.</summary>
public sealed record ToolStreamStep(string Content, IReadOnlyList<ToolCallDelta> Calls)
{
    public static readonly ToolStreamStep Empty = new("", []);
    public bool IsEmpty => Content.Length == 0 && Calls.Count == 0;
}
