// Keys and values of every evaluated position, per layer, in float32.
namespace Weft.Models.Transformer;

public sealed class KvCache
{
    /// <summary>Per layer: [Capacity, KeyWidth].</summary>
    public float[][] Keys { get; }
    /// <summary>Per layer: [Capacity, ValueWidth].</summary>
    public float[][] Values { get; }
    public int Capacity { get; }
    public int KeyWidth { get; }
    public int ValueWidth { get; }
    /// <summary>Positions stored so far (the next token goes to position Length).</summary>
    public int Length { get; set; }

    public KvCache(int layers, int capacity, int keyWidth, int valueWidth)
    {
        Capacity = capacity;
        KeyWidth = keyWidth;
        ValueWidth = valueWidth;
        Keys = new float[layers][];
        Values = new float[layers][];
        for (int l = 0; l < layers; l++)
        {
            Keys[l] = new float[(long)capacity * keyWidth];
            Values[l] = new float[(long)capacity * valueWidth];
        }
    }

    public long ByteSize => (long)Keys.Length * Capacity * (KeyWidth + ValueWidth) * sizeof(float);
}
