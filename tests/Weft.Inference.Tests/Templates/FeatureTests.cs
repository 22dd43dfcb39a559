// One small template per feature (filters, tests, methods, operators, statements, whitespace), each compared with real Jinja2
// on several fresh random conversations; plus llama.cpp's case templates on random conversations.
using System.Text.Json.Nodes;

namespace Weft.Inference.Tests.Templates;

public class FeatureTests
{
    private const string Each = "{% for m in messages %}";

    public static readonly string[] Features =
    [
        // statements, loop variables, whitespace control
        Each + "{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.first }}/{{ loop.last }}/{{ loop.length }}|{% endfor %}",
        Each + "{{ loop.previtem.role if loop.previtem is defined else '-' }}>{{ loop.nextitem.role if loop.nextitem is defined else 'END' }} {{ loop.cycle('a','b','c') }};{% endfor %}",
        "{% for m in messages if m.role != 'system' %}{{ loop.index }}{{ m.role[0] }}{% else %}none{% endfor %}",
        "{% for m in [] %}x{% else %}empty{% endfor %}{% for k, v in {'a': 1, 'b': [2]}.items() %}{{ k }}={{ v }};{% endfor %}",
        Each + "{% if loop.index0 == 1 %}{% continue %}{% endif %}{% if loop.index > 3 %}{% break %}{% endif %}{{ m.role }},{% endfor %}",
        "{% set ns = namespace(n=0, s='') %}" + Each + "{% set ns.n = ns.n + 1 %}{% set ns.s = ns.s ~ m.role[:1] %}{% endfor %}{{ ns.n }} {{ ns.s }}",
        "{% set x = 1 %}" + Each + "{% set x = 2 %}{% endfor %}{{ x }}{% set a, b = 3, 4 %}{{ a + b }}{% set block %}B{{ a }}{% endset %}[{{ block }}]",
        "{% set t | upper %}shout {{ messages | length }}{% endset %}{{ t }}{% filter trim | title %}  some words here  {% endfilter %}",
        "{% macro m(x, y='d', z=none) %}<{{ x }}|{{ y }}|{{ z }}|{{ varargs }}|{{ kwargs }}>{% endmacro %}{{ m(1) }}{{ m(1, 2, 3, 4) }}{{ m('a', z=5, w=6) }}",
        "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}inner {{ messages[0].role }}{% endcall %}",
        "{% with a = 5, b = 'x' %}{{ a }}{{ b }}{% endwith %}{% generation %}gen {{ messages | length }}{% endgeneration %}{% raw %}{{ raw }} {% if %}{% endraw %}",
        "  {% if true %}\n    kept\n  {% endif %}\n{# comment #}\n  {%- if true -%}  X  {%- endif %}\n{{- ' Y ' -}}\n  {%+ if true %}Z{% endif +%}\nend\n",
        "a\r\nb\r{% if true %}\r\nc{% endif %}\n",
        // literals and operators
        "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 1 + 2.5 }} {{ 'a' ~ 1 ~ none }} {{ -(3) }} {{ 3 - -2 }}",
        "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' in 'cat' }} {{ 2 not in [1, 3] }} {{ 'k' in {'k': 1} }} {{ not 0 }} {{ none or 'x' }} {{ 0 and 1 }} {{ [] or {} }}",
        "{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' == 'a' }} {{ [1, 2] == [1, 2] }} {{ (1, 2) == [1, 2] }} {{ none == none }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }}",
        "{{ 'yes' if messages else 'no' }} {{ 'x' if false }}|{{ 1.0 }} {{ 1e3 }} {{ 1.5e-7 }} {{ 123456789012345678.0 }} {{ 0.1 + 0.2 }} {{ 1_000 }} {{ 2.50 }}",
        "{{ \"dq\\t\" }} {{ 'sq\\n\\'' }} {{ '\\u00e9\\x41' }} {{ 'a' 'b' }} {{ [1, 'two', none, true, 2.0, [3], {'k': 'v'}] }} {{ (1,) }} {{ () }} {{ {'a': {'b': 1}} }}",
        "{{ \"it's\" }} {{ ['it\\'s', \"q\\\"\", 'back\\\\', '\\n'] }} {{ {'k': 'é日🦙'} }}",
        // attribute/item access and slicing
        "{{ messages[0]['role'] }} {{ messages[0].role }} {{ messages[-1].content }} {{ messages[99] }}|{{ messages[0].nope }}|{{ (messages | first).nope is defined }}",
        "{{ 'abcdef'[1:4] }} {{ 'abcdef'[::-1] }} {{ 'abcdef'[-2:] }} {{ [1,2,3,4,5][::2] }} {{ [1,2,3][5:] }} {{ messages[1:] | length }} {{ 'héllo'[1] }}",
        "{% set d = {'items': 1, 'x': 2} %}{{ d.x }} {{ d['items'] }} {{ d.get('x') }} {{ d.get('zz', 'dflt') }} {{ d.keys() | list }} {{ d.values() | list }}",
        // string methods
        Each + "[{{ m.content.strip() }}|{{ m.content.lstrip() }}|{{ m.content.rstrip() }}|{{ m.content.strip(' \\n') }}]{% endfor %}",
        Each + "{{ m.content.upper() }}|{{ m.content.lower() }}|{{ m.content.title() }}|{{ m.content.capitalize() }}|{{ m.content.split() }}|{{ m.content.split(' ', 1) }}|{{ m.content.rsplit(' ', 1) }};{% endfor %}",
        Each + "{{ m.content.startswith('H') }}{{ m.content.endswith(('?', 'n')) }}{{ m.content.find('o') }}{{ m.content.rfind('o') }}{{ m.content.count('e') }}{{ m.content.replace(' ', '_') }}{{ m.content.splitlines() }};{% endfor %}",
        "{{ 'a,b,,c'.split(',') }} {{ ' x  y '.split() }} {{ 'a\\nb\\r\\nc'.splitlines() }} {{ '-'.join(['a', 'b']) }} {{ 'abc'.isdigit() }} {{ '123'.isdigit() }} {{ 'ab'.isalpha() }} {{ '  '.isspace() }}",
        "{{ 'prefix-body'.removeprefix('prefix-') }} {{ 'body.txt'.removesuffix('.txt') }} {{ 'hello world'.index('o') }} {{ 'x{}y{}'.format(1, 'z') }} {{ 'a-b-c'.rsplit('-', 1) }} {{ 'Hello'.startswith('ell', 1) }}",
        // filters
        Each + "{{ m.content | trim }}|{{ m.content | length }}|{{ m.content | upper }}|{{ m.content | lower }}|{{ m.content | replace('o', '0') }}|{{ m.content | wordcount }}|{{ m.content | capitalize }}|{{ m.content | title }};{% endfor %}",
        Each + "{{ m.content | tojson }}|{{ m | tojson }}|{{ m | tojson(indent=2) }}{% endfor %}{{ {'a': [1, 2.5, none, true, {}], 'b': []} | tojson }}{{ {'z': 1, 'a': 2} | tojson(sort_keys=true) }}",
        "{{ undefined_thing | default('d') }} {{ '' | default('e') }} {{ '' | default('e', true) }} {{ none | d('n', boolean=true) }} {{ 0 | string }}{{ none | string }} {{ [3, 1, 2] | join(', ') }} {{ messages | map(attribute='role') | join(',') }}",
        "{{ messages | selectattr('role', 'equalto', 'user') | list | length }} {{ messages | rejectattr('role', 'eq', 'user') | map(attribute='role') | list }} {{ messages | selectattr('content') | list | length }} {{ messages | selectattr('nope', 'defined') | list }}",
        "{{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('even') | list }} {{ ['a', 'B'] | map('upper') | list }} {{ [1, none] | map('string') | list }} {{ [[1, 2], [3]] | map('length') | list }}",
        "{{ [3, 1, 2] | first }} {{ [3, 1, 2] | last }} {{ 'abc' | list }} {{ '42' | int }} {{ '4.7' | int }} {{ 'x' | int(7) }} {{ '3.5' | float }} {{ -3 | abs }} {{ 2.5 | round }} {{ 3.14159 | round(2) }} {{ 2.7 | round(0, 'floor') }}",
        "{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'a\\n\\nb' | indent('> ', blank=true) }}|{{ 'x' | center(7) }}|{{ '<a href=\"x\">&' | e }}|{{ 'safe' | safe }}",
        "{{ ['b', 'A', 'a', 'c'] | unique | list }} {{ ['b', 'A', 'a', 'c'] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} {{ messages | sort(attribute='role') | map(attribute='role') | list }} {{ [1, 2, 3] | reverse | list }} {{ 'abc' | reverse }}",
        "{{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ [1, 2, 3] | batch(2, 0) | list }} {{ {'b': 1, 'a': 2} | dictsort }} {{ {'b': 1, 'a': 2} | items | list }} {{ [4, 2, 9] | min }} {{ [4, 2, 9] | max }} {{ [1, 2, 3] | sum }} {{ messages | count }}",
        // tests
        "{{ x is defined }} {{ x is undefined }} {{ none is none }} {{ 'a' is string }} {{ 1 is number }} {{ true is number }} {{ 1 is integer }} {{ true is integer }} {{ 1.0 is float }} {{ {} is mapping }} {{ [] is iterable }} {{ 'a' is sequence }}",
        "{{ true is boolean }} {{ true is true }} {{ 0 is false }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 1 is eq 1 }} {{ 1 is equalto 2 }} {{ 1 is ne 2 }} {{ 1 is lt 2 }} {{ 2 is ge 2 }}",
        "{{ 2 is in [1, 2] }} {{ range is callable }} {{ none is sameas none }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ messages is not mapping }} {{ messages[0] is mapping }} {{ 1 is not none }}",
        // list methods on fresh literals and globals
        "{{ range(3) | list }} {{ range(1, 10, 3) | list }} {{ range(5, 0, -2) | list }} {{ dict(a=1, b='x') }} {{ dict({'k': 1}, z=2) }} {{ namespace(a=1).a }} {{ strftime_now('%Y-%m-%d %H:%M:%S %b %B %a %A %j %p') }}",
        "{{ [1, 2, 1].index(2) }} {{ [1, 2, 1].count(1) }} {{ '%s=%d (%5.2f) %%' % ('x', 3, 2.5) }} {{ 'v: %s' % messages[0].role }}",
        // content given as a list of parts
        Each + "{% if m.content is string %}{{ m.content }}{% else %}{% for p in m.content %}{% if p.type == 'text' %}{{ p.text }}{% endif %}{% endfor %}{% endif %}|{% endfor %}",
        // errors both engines must raise
        "{{ raise_exception('stop: ' ~ messages | length) }}",
        "{{ messages[0].nope.deeper }}",
        "{{ 1 + 'a' }}",
        "{{ undefined_name + 1 }}",
        "{% for x in 5 %}{% endfor %}",
        "{{ 1 / 0 }}",
    ];

    public static TheoryData<int> FeatureIndexes() => [.. Enumerable.Range(0, Features.Length)];

    [Theory]
    [MemberData(nameof(FeatureIndexes))]
    public void FeatureMatchesJinja2(int index)
    {
        var rng = new Random(Environment.TickCount + index);
        var jobs = new List<(string, JsonObject)>();
        for (int k = 0; k < 4; k++)
            jobs.Add((Features[index], Conversations.Context(Conversations.Alternating(rng, partsContent: index == Features.Length - 7), k != 1)));
        BuiltinTemplateTests.AssertSameAsJinja2(jobs);
    }

    [Fact]
    public void LlamaCppCaseTemplatesMatchJinja2OnRandomConversations()
    {
        var rng = new Random(Environment.TickCount);
        var jobs = new List<(string, JsonObject)>();
        foreach (var c in LlamaCppChatCases.Load())
            for (int k = 0; k < 4; k++)
                jobs.Add((c.Template, Conversations.Context(k < 3 ? Conversations.Alternating(rng) : Conversations.AnyRoles(rng), k != 1, c.Bos, c.Eos)));
        BuiltinTemplateTests.AssertSameAsJinja2(jobs);
    }
}
