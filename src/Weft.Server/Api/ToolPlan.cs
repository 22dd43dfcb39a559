// One chat request's tool calling: the template's call format, the tools as template variables, the forced call's
// prefill, and the reading of the answer (whole or streamed) into content and calls.
using Weft.Inference.Grammar;
using Weft.Inference.Templates;
using Weft.Inference.Tools;
using Weft.Server.Hosting;

namespace Weft.Server.Api;

internal sealed class ToolPlan
{
    private ToolPlan(ToolCallFormat format, IReadOnlyDictionary<string, Value> variables, string prefill, int maxCalls, Grammar? grammar)
    {
        Grammar = grammar;
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
    /// <summary>What the model may write after the prefill of a required or named call (the name and the arguments its
    /// schema allows); null when the model may answer in text, or the format cannot be followed.</summary>
    public Grammar? Grammar { get; }
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
        string id = ToolChoice.NewId();
        string prefill = tools.Choice.Prefill(format, parameters, id);
        int maxCalls = tools.Parallel && tools.Choice.Kind != ToolChoiceKind.Named ? int.MaxValue : 1;
        return new ToolPlan(format, new Dictionary<string, Value>(StringComparer.Ordinal) { ["tools"] = tools.Template }, prefill, maxCalls,
            CallGrammar(format, tools, id, maxCalls));
    }

    /// <summary>The forced call's grammar; a strict function's schema keyword that cannot be enforced is a 400 naming it.</summary>
    private static Grammar? CallGrammar(ToolCallFormat format, ToolRequest tools, string id, int maxCalls)
    {
        try
        {
            return ToolCallGrammar.For(format, tools.Choice, [.. tools.Functions.Select(f => new ToolFunctionGrammar(f.Name, f.Parameters, f.Strict))], id, maxCalls);
        }
        catch (GrammarException e)
        {
            int i = tools.Functions.ToList().FindIndex(f => f.Strict && !CanEnforce(f));
            string at = i < 0 ? "tools" : $"tools[{i}].function.parameters";
            throw ApiException.BadRequest($"'{at}': {e.Message} (a strict function's arguments must be enforceable; drop \"strict\" to accept any JSON object there)", at);
        }
    }

    private static bool CanEnforce(ToolFunction f)
    {
        try
        {
            _ = ToolCallGrammar.For(ToolCallFormat.PlainJson, new ToolChoice(ToolChoiceKind.Named, f.Name), [new ToolFunctionGrammar(f.Name, f.Parameters, true)], "x", 1);
            return true;
        }
        catch (GrammarException)
        {
            return false;
        }
    }

    /// <summary>The whole answer (the prefill and what the model wrote after it) split into content and calls.</summary>
    public ToolAnswer Read(string generated) => ToolCallParser.Parse(Format, Prefill + generated, _ => ToolChoice.NewId(), MaxCalls);

    /// <summary>A reader of the streamed answer; its first piece should be the prefill.</summary>
    public ToolCallStream Stream() => new(Format, _ => ToolChoice.NewId(), MaxCalls);
}
