// Template values with Python/Jinja2 semantics: none, undefined, bool, int, float, str, list/tuple, dict, namespace, callable.
namespace Weft.Inference.Templates;

/// <summary>A value seen by a template. Immutable except lists, dicts and namespaces (Python semantics).</summary>
public abstract class Value
{
    public static readonly Value None = new NoneValue();
    public static readonly Value True = new BoolValue(true);
    public static readonly Value False = new BoolValue(false);

    public static Value Bool(bool b) => b ? True : False;
    public static Value Of(long i) => new IntValue(i);
    public static Value Of(double d) => new FloatValue(d);
    public static Value Of(string s) => new StringValue(s);
    public static Value Of(bool b) => Bool(b);

    /// <summary>Python truthiness.</summary>
    public abstract bool IsTrue { get; }

    /// <summary>Python's type name, for error messages ("'dict object' has no attribute …").</summary>
    public abstract string TypeName { get; }

    public bool IsUndefined => this is UndefinedValue;
    public bool IsNone => this is NoneValue;

    public override string ToString() => PyText.Str(this);
}

public sealed class NoneValue : Value
{
    internal NoneValue() { }
    public override bool IsTrue => false;
    public override string TypeName => "NoneType";
}

/// <summary>Jinja2's default Undefined: falsy, prints empty, iterates as empty; attribute access, arithmetic and calls fail.</summary>
public sealed class UndefinedValue(string hint) : Value
{
    /// <summary>Why it is undefined, e.g. "'x' is undefined" or "'dict object' has no attribute 'y'".</summary>
    public string Hint { get; } = hint;
    public override bool IsTrue => false;
    public override string TypeName => "Undefined";
}

public sealed class BoolValue(bool value) : Value
{
    public bool V { get; } = value;
    public override bool IsTrue => V;
    public override string TypeName => "bool";
}

public sealed class IntValue(long value) : Value
{
    public long V { get; } = value;
    public override bool IsTrue => V != 0;
    public override string TypeName => "int";
}

public sealed class FloatValue(double value) : Value
{
    public double V { get; } = value;
    public override bool IsTrue => V != 0;
    public override string TypeName => "float";
}

public sealed class StringValue(string value) : Value
{
    public string V { get; } = value;
    public override bool IsTrue => V.Length > 0;
    public override string TypeName => "str";
}

/// <summary>A Python list, or a tuple when <see cref="IsTuple"/> (immutable by convention).</summary>
public sealed class ListValue(List<Value> items, bool isTuple = false) : Value
{
    public List<Value> Items { get; } = items;
    public bool IsTuple { get; } = isTuple;
    public ListValue() : this([]) { }
    public override bool IsTrue => Items.Count > 0;
    public override string TypeName => IsTuple ? "tuple" : "list";
}

/// <summary>A Python dict: keys keep insertion order; equal numbers are the same key (1 == 1.0 == True).</summary>
public sealed class DictValue : Value
{
    public OrderedDictionary<Value, Value> Items { get; } = new(ValueComparer.Instance);
    public override bool IsTrue => Items.Count > 0;
    public override string TypeName => "dict";

    public Value? Get(string key) => Items.TryGetValue(Of(key), out var v) ? v : null;
    public void Set(string key, Value v) => Items[Of(key)] = v;
}

/// <summary>Jinja2's namespace(): attributes assignable from inner scopes with `set ns.x = …`.</summary>
public sealed class NamespaceValue : Value
{
    public Dictionary<string, Value> Attributes { get; } = new(StringComparer.Ordinal);
    public override bool IsTrue => true;
    public override string TypeName => "Namespace";
}

/// <summary>Arguments of a call: positional, then keyword (in call order).</summary>
public sealed record CallArgs(List<Value> Positional, List<KeyValuePair<string, Value>> Named)
{
    public static readonly CallArgs Empty = new([], []);

    public Value? Kw(string name)
    {
        foreach (var kv in Named) if (kv.Key == name) return kv.Value;
        return null;
    }

    /// <summary>Positional argument <paramref name="index"/>, else keyword <paramref name="name"/>, else null.</summary>
    public Value? Arg(int index, string name) => index < Positional.Count ? Positional[index] : Kw(name);
}

/// <summary>Anything callable from a template: built-in functions, bound methods, macros.</summary>
public sealed class CallableValue(string name, Func<CallArgs, Value> call, bool isMacro = false) : Value
{
    public string Name { get; } = name;
    public Func<CallArgs, Value> Call { get; } = call;
    public bool IsMacro { get; } = isMacro;
    public override bool IsTrue => true;
    public override string TypeName => IsMacro ? "Macro" : "builtin_function_or_method";
}
