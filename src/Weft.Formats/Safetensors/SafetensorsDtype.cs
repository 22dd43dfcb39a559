// The element types a safetensors header may name, their sizes, and the ggml type each computes as (where any).
using Weft.Tensors;

namespace Weft.Formats.Safetensors;

public enum SafetensorsDtype { BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64 }

public static class SafetensorsDtypes
{
    public static IEnumerable<string> Names => Enum.GetNames<SafetensorsDtype>();

    public static SafetensorsDtype? Parse(string s) =>
        Enum.TryParse<SafetensorsDtype>(s, ignoreCase: false, out var d) && Enum.IsDefined(d) && s == d.ToString() ? d : null;

    /// <summary>Bytes per element.</summary>
    public static int Size(SafetensorsDtype d) => d switch
    {
        SafetensorsDtype.BOOL or SafetensorsDtype.U8 or SafetensorsDtype.I8 => 1,
        SafetensorsDtype.I16 or SafetensorsDtype.U16 or SafetensorsDtype.F16 or SafetensorsDtype.BF16 => 2,
        SafetensorsDtype.I32 or SafetensorsDtype.U32 or SafetensorsDtype.F32 => 4,
        _ => 8,
    };

    /// <summary>The ggml type of the same bits (F32, F16, BF16), or null for types weights are never stored in.</summary>
    public static GgmlType? ToGgml(SafetensorsDtype d) => d switch
    {
        SafetensorsDtype.F32 => GgmlType.F32,
        SafetensorsDtype.F16 => GgmlType.F16,
        SafetensorsDtype.BF16 => GgmlType.BF16,
        _ => null,
    };

    public static SafetensorsDtype FromGgml(GgmlType t) => t switch
    {
        GgmlType.F32 => SafetensorsDtype.F32,
        GgmlType.F16 => SafetensorsDtype.F16,
        GgmlType.BF16 => SafetensorsDtype.BF16,
        _ => throw new ArgumentException($"safetensors has no dtype for {TypeTraits.NameOf(t)}"),
    };
}
