// A parsed chat template: parse once, render many times with Jinja2 semantics as Hugging Face transformers applies them.
namespace Weft.Inference.Templates;

public sealed class ChatTemplate
{
    private readonly List<Stmt> _body;

    public string? Name { get; }
    public string Source { get; }

    private ChatTemplate(List<Stmt> body, string source, string? name)
    {
        _body = body;
        Source = source;
        Name = name;
    }

    /// <summary>Parses Jinja source (trim_blocks and lstrip_blocks on); syntax errors are <see cref="TemplateException"/>s.</summary>
    public static ChatTemplate Parse(string source, string? name = null) => new(Parser.Parse(source, name), source, name);

    /// <summary>Renders the prompt; every failure (raise_exception, undefined access, limits) is a <see cref="TemplateException"/>.</summary>
    public string Render(ChatTemplateContext ctx)
    {
        var globals = new Scope(null);
        Globals.AddTo(globals, ctx);
        globals.Set("messages", new ListValue(ctx.Messages.Select(m => (Value)m.Fields).ToList()));
        globals.Set("add_generation_prompt", Value.Bool(ctx.AddGenerationPrompt));
        globals.Set("bos_token", Value.Of(ctx.BosToken));
        globals.Set("eos_token", Value.Of(ctx.EosToken));
        foreach (var kv in ctx.Variables) globals.Set(kv.Key, kv.Value);
        try
        {
            return new Renderer(Name, ctx.Limits).Render(_body, globals);
        }
        catch (InsufficientExecutionStackException)
        {
            throw new TemplateException("template nested too deeply to evaluate", Name, 0);
        }
    }
}
