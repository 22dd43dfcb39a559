// A task's templates, parsed once: documents (JSON objects) rendered to contexts, choices and targets with the
// project's Jinja engine. Expressions (doc_to_choice, doc_to_target) are evaluated through `tojson`.
using System.Text.Json;
using Weft.Evaluation.Data;
using Weft.Inference.Templates;

namespace Weft.Evaluation.Tasks;

public sealed class DocTemplates
{
    private readonly TaskDefinition _task;
    private readonly ChatTemplate _text;
    private readonly ChatTemplate? _description, _choice, _target, _continuation;

    public DocTemplates(TaskDefinition task)
    {
        _task = task;
        _text = Parse(task.DocToText, "doc_to_text");
        _description = task.Description is { Length: > 0 } d ? Parse(d, "description") : null;
        _choice = task.DocToChoice is { } c ? Parse("{{ (" + c + ") | tojson }}", "doc_to_choice") : null;
        _target = task.DocToTarget is { } t ? Parse("{{ (" + t + ") | tojson }}", "doc_to_target") : null;
        _continuation = task.DocToContinuation is { } k ? Parse(k, "doc_to_continuation") : null;
    }

    private ChatTemplate Parse(string source, string field)
    {
        try { return ChatTemplate.Parse(source, $"{_task.Origin} {field}"); }
        catch (TemplateException e) { throw new TaskFileException($"{_task.Origin}: {field}: {e.Message}", e); }
    }

    public string Text(JsonElement doc) => Render(_text, doc);
    public string Description(JsonElement doc) => _description == null ? "" : Render(_description, doc);
    public string? Continuation(JsonElement doc) => _continuation == null ? null : Render(_continuation, doc);

    public IReadOnlyList<string> Choices(JsonElement doc)
    {
        if (_choice == null) return [];
        using var json = JsonDocument.Parse(Render(_choice, doc));
        if (json.RootElement.ValueKind != JsonValueKind.Array)
            throw new TaskFileException($"{_task.Origin}: doc_to_choice gave {json.RootElement.ValueKind}, not a list");
        return json.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToArray();
    }

    /// <summary>The gold answer: an index into <paramref name="choices"/> (a text is looked up among them), or for
    /// generation the answer text (index -1).</summary>
    public (int Index, string Text) Target(JsonElement doc, IReadOnlyList<string> choices)
    {
        if (_target == null) return (-1, "");
        using var json = JsonDocument.Parse(Render(_target, doc));
        var e = json.RootElement;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int i))
            return choices.Count == 0 ? (-1, i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : (uint)i < (uint)choices.Count ? (i, choices[i])
                : throw new TaskDataException($"{_task.Origin}: target index {i} is outside the {choices.Count} choices");
        string text = e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
        if (choices.Count == 0) return (-1, text);
        for (int k = 0; k < choices.Count; k++) if (choices[k] == text) return (k, text);
        if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int j) && (uint)j < (uint)choices.Count)
            return (j, choices[j]);
        throw new TaskDataException($"{_task.Origin}: target '{text}' is not among the choices");
    }

    private string Render(ChatTemplate t, JsonElement doc)
    {
        var vars = new Dictionary<string, Value>(StringComparer.Ordinal) { ["doc"] = JsonValues.FromJson(doc) };
        if (doc.ValueKind == JsonValueKind.Object)
            foreach (var p in doc.EnumerateObject()) vars[p.Name] = JsonValues.FromJson(p.Value);
        try
        {
            return t.Render(new ChatTemplateContext { Variables = vars, AddGenerationPrompt = false });
        }
        catch (TemplateException e)
        {
            throw new TaskDataException($"{_task.Origin}: {e.Message}", e);
        }
    }
}
