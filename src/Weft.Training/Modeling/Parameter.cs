// A named tensor of the training model: its values, and a gradient buffer when it is trained.
using System.Numerics;

namespace Weft.Training.Modeling;

public sealed class Parameter<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The GGUF tensor name (for LoRA factors, the base weight's name plus .lora_a / .lora_b).</summary>
    public string Name { get; }
    /// <summary>Row-major shape, outermost first ([out, in] for a matrix, [n] for a vector).</summary>
    public int[] Shape { get; }
    public T[] Value { get; }
    /// <summary>Null when the parameter is frozen.</summary>
    public T[]? Grad { get; private set; }

    public Parameter(string name, int[] shape, T[] value, bool trainable)
    {
        long count = 1;
        foreach (int s in shape) count *= s;
        if (count != value.Length) throw new ArgumentException($"{name}: {value.Length} values for shape [{string.Join(", ", shape)}]");
        Name = name;
        Shape = shape;
        Value = value;
        if (trainable) Grad = new T[value.Length];
    }

    public bool Trainable => Grad != null;

    public void Freeze() => Grad = null;

    public void ZeroGrad() => Grad?.AsSpan().Clear();
}
