// The few protobuf encodings the SentencePiece seed needs: varints, 32-bit floats and length-delimited fields.
using System.Text;

namespace Weft.Fuzz.Seeds;

public sealed class ProtoWriter
{
    private readonly MemoryStream _out = new();

    public void Int(int field, long value)
    {
        Varint((ulong)(field << 3));
        Varint((ulong)value);
    }

    public void Float(int field, float value)
    {
        Varint((ulong)(field << 3 | 5));
        _out.Write(BitConverter.GetBytes(value));
    }

    public void String(int field, string value) => Message(field, Encoding.UTF8.GetBytes(value));

    public void Message(int field, byte[] body)
    {
        Varint((ulong)(field << 3 | 2));
        Varint((ulong)body.Length);
        _out.Write(body);
    }

    public byte[] ToArray() => _out.ToArray();

    private void Varint(ulong v)
    {
        while (v >= 0x80)
        {
            _out.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        _out.WriteByte((byte)v);
    }
}
