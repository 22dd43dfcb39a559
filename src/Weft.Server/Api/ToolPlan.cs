// One chat request's tool calling: the template's call format, the tools as template variables, the forced call's
// prefill, and the reading of the answer (whole or streamed) into content and calls.
using Weft.Inference.Templates;
using Weft.Inference.Tools;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

internal sealed class ToolPlan
{
    private ToolPlan(ToolCallFormat format, IReadOnlyDictionary<string, Value> variables, string prefill, int maxCalls)
    {
        Format = format;
        Variables = variables;
        Prefill = prefill;
        MaxCalls = maxCalls;
    }

    public ToolCallFormat Format { get; }
    /// <summary>`tools` for the template.</summary>
    public IReadOnlyDictionary<string, Value> Variables { get; }
    /// <summary>Text after the generation prompt that starts the forced call ("" when the model may answer in text).</summary>
    public string Prefill { get; }
    /// <summary>1 with parallel_tool_calls false or a named function; the calls after it are dropped.</summary>
    public int MaxCalls { get; }

    /// <summary>The plan, or null when the request has no tools or tool_choice "none" (tools not rendered, answers not
    /// read for calls). A template that does not take tools is a 400: tools are never silently ignored.</summary>
    public static ToolPlan? For(LoadedModel model, ToolRequest? tools)
    {
        if (tools == null || tools.Choice.Kind == ToolChoiceKind.None) return null;
        if (model.Formatter.Tools.Format is not { } format)
            throw ApiException.BadRequest($"the chat template of {model.Entry.Id} does not support tools (it does not use the 'tools' variable); leave out 'tools' or use a model whose template takes them",
                "tools", "tools_not_supported");
        var parameters = tools.Choice.Name is { } name ? tools.Functions.First(f => f.Name == name).Parameters : null;
        string prefill = tools.Choice.Prefill(format, parameters, ToolChoice.NewId());
        int maxCalls = tools.Parallel && tools.Choice.Kind != ToolChoiceKind.Named ? int.MaxValue : 1;
        return new ToolPlan(format, new Dictionary<string, Value>(StringComparer.Ordinal) { ["tools"] = tools.Template }, prefill, maxCalls);
    }

    /// <summary>The whole answer (the prefill and what the model wrote after it) split into content and calls.</summary>
    public ToolAnswer Read(string generated) => ToolCallParser.Parse(Format, Prefill + generated, _ => ToolChoice.NewId(), MaxCalls);

    /// <summary>A reader of the streamed answer; its first piece should be the prefill.</summary>
    public ToolCallStream Stream() => new(Format, _ => ToolChoice.NewId(), MaxCalls);
}
