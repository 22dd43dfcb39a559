// Variable scopes: the template's globals, then one frame per for-loop iteration, macro call and with-block.
namespace Weft.Inference.Templates;

internal sealed class Scope(Scope? parent)
{
    private readonly Dictionary<string, Value> _vars = new(StringComparer.Ordinal);
    public Scope? Parent { get; } = parent;

    public Value? Lookup(string name)
    {
        for (var s = this; s != null; s = s.Parent)
            if (s._vars.TryGetValue(name, out var v)) return v;
        return null;
    }

    public void Set(string name, Value v) => _vars[name] = v;
}
