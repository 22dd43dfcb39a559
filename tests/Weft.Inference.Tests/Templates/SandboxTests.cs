// Sandbox limits and error reporting: step and output limits, nesting, line numbers, names of unknown filters and tests.
using Weft.Inference.Templates;

namespace Weft.Inference.Tests.Templates;

public class SandboxTests
{
    private static readonly ChatTemplateContext Ctx = new() { Messages = [ChatMessage.Text("user", "hi")] };

    private static TemplateException Fails(string source, string? name = "t", ChatTemplateContext? ctx = null) =>
        Assert.Throws<TemplateException>(() => ChatTemplate.Parse(source, name).Render(ctx ?? Ctx));

    [Fact]
    public void HugeLoopsHitTheStepLimit()
    {
        var e = Fails("{% for i in range(1000) %}{% for j in range(1000) %}{{ j }}{% endfor %}{% endfor %}");
        Assert.Contains("step limit", e.Message, StringComparison.Ordinal);
        Assert.Contains("step limit", Fails("{% for i in range(100000000) %}{% endfor %}").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SelfRecursiveMacroHitsTheDepthLimit()
    {
        var e = Fails("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
        Assert.Contains("depth limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeOutputHitsTheSizeLimit()
    {
        var e = Fails("{% set s = 'x' * 1000000 %}{% for i in range(40) %}{{ s }}{% endfor %}");
        Assert.Contains("output size limit", e.Message, StringComparison.Ordinal);
        var small = new ChatTemplateContext { Limits = new RenderLimits { MaxOutputChars = 10 } };
        Assert.Contains("output size limit", Fails("{{ 'abcdefghijk' }}", ctx: small).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorsNameTheTemplateAndLine()
    {
        var e = Fails("line one\n{% if true %}\n  {{ raise_exception('bad input') }}\n{% endif %}", "my-template");
        Assert.Equal(3, e.Line);
        Assert.Equal("chat template 'my-template', line 3: bad input", e.Message);
        var parse = Assert.Throws<TemplateException>(() => ChatTemplate.Parse("ok\n\n{% for x in %}", "p"));
        Assert.Equal(3, parse.Line);
        Assert.StartsWith("chat template 'p', line 3:", parse.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<TemplateException>(() => ChatTemplate.Parse("{% if x %}\n{{ 1 }}", null));
        Assert.Equal(2, missing.Line);
        Assert.Contains("endif", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFiltersTestsAndTagsAreNamed()
    {
        Assert.Contains("unknown filter 'frobnicate'", Fails("\n{{ 'x' | frobnicate }}").Message, StringComparison.Ordinal);
        Assert.Contains("unknown test 'shiny'", Fails("{{ 1 is shiny }}").Message, StringComparison.Ordinal);
        Assert.Contains("'include' is not supported", Assert.Throws<TemplateException>(() => ChatTemplate.Parse("{% include 'x' %}")).Message, StringComparison.Ordinal);
        Assert.Contains("unclosed", Assert.Throws<TemplateException>(() => ChatTemplate.Parse("{{ 1 + ")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeepNestingIsAnErrorNotACrash()
    {
        Assert.Throws<TemplateException>(() => ChatTemplate.Parse("{{ " + new string('(', 5000) + "1" + new string(')', 5000) + " }}"));
        Assert.Throws<TemplateException>(() => ChatTemplate.Parse("{{ " + string.Concat(Enumerable.Repeat("not ", 5000)) + "1 }}"));
    }

    // transformers' sandbox forbids mutating methods; our engine allows them (llama.cpp's engine does too), so they are checked by hand.
    [Fact]
    public void ListAndDictMethodsMutateInPlace()
    {
        const string src = "{% set l = [1, 2] %}{% set _ = l.append(3) %}{% set _ = l.insert(0, 0) %}{% set _ = l.extend([4]) %}{{ l.pop() }}{{ l }}"
            + "{% set d = {'a': 1} %}{% set _ = d.update({'b': 2}) %}{{ d }}{{ d.pop('a') }}{{ d }}";
        Assert.Equal("4[0, 1, 2, 3]{'a': 1, 'b': 2}1{'b': 2}", ChatTemplate.Parse(src).Render(Ctx));
    }
}
