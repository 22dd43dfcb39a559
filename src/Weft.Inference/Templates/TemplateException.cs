// Every failure of a chat template (parse, runtime, sandbox limit) as one exception naming the template and line.
namespace Weft.Inference.Templates;

/// <summary>A chat template failed to parse or render; the message names the template (when named) and the 1-based line.</summary>
public sealed class TemplateException : Exception
{
    public string? TemplateName { get; }
    public int Line { get; }
    public string Reason { get; }

    public TemplateException(string reason, string? templateName, int line, Exception? inner = null)
        : base(Format(reason, templateName, line), inner)
    {
        Reason = reason;
        TemplateName = templateName;
        Line = line;
    }

    private static string Format(string reason, string? name, int line)
    {
        string where = name != null ? $"chat template '{name}'" : "chat template";
        return line > 0 ? $"{where}, line {line}: {reason}" : $"{where}: {reason}";
    }
}

/// <summary>A runtime error raised deep in value code; the evaluator adds the template name and line.</summary>
internal sealed class RenderError(string message) : Exception(message);
