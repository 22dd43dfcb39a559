// The protobuf wire format, just enough to walk a message's fields (https://protobuf.dev/programming-guides/encoding/).
using System.Buffers.Binary;

namespace Weft.Tokenizers.HuggingFace;

internal enum WireType { Varint = 0, Fixed64 = 1, Length = 2, Fixed32 = 5 }

/// <summary>Reads fields of one message; a truncated or malformed message throws <see cref="TokenizerFileException"/>.</summary>
internal ref struct ProtobufReader(ReadOnlySpan<byte> data, string file, string message)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public readonly bool End => _pos >= _data.Length;

    private readonly TokenizerFileException Bad(string what) =>
        new($"{file}: {message} is malformed at byte {_pos}: {what} (truncated or not a SentencePiece model?)");

    public (int Field, WireType Wire) ReadTag()
    {
        ulong tag = ReadVarint();
        int field = (int)(tag >> 3);
        var wire = (WireType)(tag & 7);
        if (field == 0 || wire is not (WireType.Varint or WireType.Fixed64 or WireType.Length or WireType.Fixed32))
            throw Bad($"invalid field tag {tag}");
        return (field, wire);
    }

    public ulong ReadVarint()
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length) throw Bad("varint runs past the end");
            byte b = _data[_pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return v;
        }
        throw Bad("varint longer than 10 bytes");
    }

    public float ReadFloat() => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(Take(4)));

    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong len = ReadVarint();
        if (len > (ulong)(_data.Length - _pos)) throw Bad($"a field of {len} bytes runs past the end");
        return Take((int)len);
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > _data.Length - _pos) throw Bad($"a field of {n} bytes runs past the end");
        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }

    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: Take(8); break;
            case WireType.Fixed32: Take(4); break;
            case WireType.Length: ReadBytes(); break;
        }
    }

    /// <summary>The field's value as an integer, checking the wire type the schema gives it.</summary>
    public long ReadInt(WireType wire, string field)
    {
        if (wire != WireType.Varint) throw Bad($"field {field} has wire type {wire}, expected a varint");
        return unchecked((long)ReadVarint());
    }
}
