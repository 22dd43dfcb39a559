// Jinja2's tests (`x is defined`, `n is divisibleby 3`, …), one registry by name.
namespace Weft.Inference.Templates;

internal static class TestRegistry
{
    private delegate bool Test(Value v, List<Value> args);

    private static Value Arg(List<Value> a, string test) => a.Count > 0 ? a[0] : throw new RenderError($"test '{test}' needs an argument");

    private static readonly Dictionary<string, Test> Tests = new(StringComparer.Ordinal)
    {
        ["defined"] = (v, _) => v is not UndefinedValue,
        ["undefined"] = (v, _) => v is UndefinedValue,
        ["none"] = (v, _) => v is NoneValue,
        ["boolean"] = (v, _) => v is BoolValue,
        ["true"] = (v, _) => v is BoolValue { V: true },
        ["false"] = (v, _) => v is BoolValue { V: false },
        ["string"] = (v, _) => v is StringValue,
        ["number"] = (v, _) => Ops.IsNumber(v),
        ["integer"] = (v, _) => v is IntValue,
        ["float"] = (v, _) => v is FloatValue,
        ["mapping"] = (v, _) => v is DictValue,
        ["iterable"] = (v, _) => v is ListValue or DictValue or StringValue or UndefinedValue,
        ["sequence"] = (v, _) => v is ListValue or DictValue or StringValue,
        ["callable"] = (v, _) => v is CallableValue,
        ["odd"] = (v, _) => Ops.AsLong(v) is long i ? (i & 1) == 1 : throw new RenderError($"'odd' needs an integer, got {v.TypeName}"),
        ["even"] = (v, _) => Ops.AsLong(v) is long i ? (i & 1) == 0 : throw new RenderError($"'even' needs an integer, got {v.TypeName}"),
        ["divisibleby"] = (v, a) => Ops.Equal(Ops.Mod(v, Arg(a, "divisibleby")), Value.Of(0L)),
        ["eq"] = (v, a) => Ops.Equal(v, Arg(a, "eq")),
        ["ne"] = (v, a) => !Ops.Equal(v, Arg(a, "ne")),
        ["lt"] = (v, a) => Ops.Compare(v, Arg(a, "lt"), "<") is < 0 and not int.MinValue,
        ["le"] = (v, a) => Ops.Compare(v, Arg(a, "le"), "<=") is <= 0 and not int.MinValue,
        ["gt"] = (v, a) => Ops.Compare(v, Arg(a, "gt"), ">") > 0,
        ["ge"] = (v, a) => Ops.Compare(v, Arg(a, "ge"), ">=") >= 0,
        ["in"] = (v, a) => Ops.Contains(Arg(a, "in"), v),
        ["sameas"] = (v, a) => SameAs(v, Arg(a, "sameas")),
        ["lower"] = (v, _) => PyText.Str(v) is var s && s.Any(char.IsLower) && !s.Any(char.IsUpper),
        ["upper"] = (v, _) => PyText.Str(v) is var s && s.Any(char.IsUpper) && !s.Any(char.IsLower),
        ["escaped"] = (_, _) => false,
    };

    static TestRegistry()
    {
        Tests["equalto"] = Tests["=="] = Tests["eq"];
        Tests["!="] = Tests["ne"];
        Tests["lessthan"] = Tests["<"] = Tests["lt"];
        Tests["<="] = Tests["le"];
        Tests["greaterthan"] = Tests[">"] = Tests["gt"];
        Tests[">="] = Tests["ge"];
    }

    public static bool Exists(string name) => Tests.ContainsKey(name);

    public static bool Run(string name, Value v, List<Value> args) =>
        Tests.TryGetValue(name, out var t) ? t(v, args) : throw new RenderError($"unknown test '{name}'");

    /// <summary>Python `is`: identity for singletons and small cached ints; other values are distinct objects unless the same reference.</summary>
    private static bool SameAs(Value a, Value b) => (a, b) switch
    {
        (NoneValue, NoneValue) or (UndefinedValue, UndefinedValue) => true,
        (BoolValue x, BoolValue y) => x.V == y.V,
        (IntValue x, IntValue y) => x.V == y.V && x.V is >= -5 and <= 256,
        _ => ReferenceEquals(a, b),
    };
}
