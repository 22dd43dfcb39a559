// Python equality and hashing of template values (1 == 1.0 == True; lists and dicts compare by content).
namespace Weft.Inference.Templates;

internal sealed class ValueComparer : IEqualityComparer<Value>
{
    public static readonly ValueComparer Instance = new();

    public bool Equals(Value? a, Value? b) => a != null && b != null && Ops.Equal(a, b);

    public int GetHashCode(Value v) => v switch
    {
        StringValue s => StringComparer.Ordinal.GetHashCode(s.V),
        BoolValue b => b.V ? 1 : 0,
        IntValue i => i.V.GetHashCode(),
        FloatValue f => f.V == Math.Floor(f.V) && Math.Abs(f.V) < 9e18 ? ((long)f.V).GetHashCode() : f.V.GetHashCode(),
        ListValue { IsTuple: true } t => t.Items.Aggregate(17, (h, x) => h * 31 + GetHashCode(x)),
        ListValue or DictValue => throw new RenderError($"unhashable type: '{v.TypeName}'"),
        _ => v.GetType().GetHashCode(),
    };
}
