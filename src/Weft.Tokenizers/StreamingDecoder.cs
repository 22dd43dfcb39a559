// Turns generated ids into text as they arrive, emitting only whole UTF-8 characters: the bytes of a character
// split over several tokens (byte-fallback tokens, byte-level BPE pieces) wait until it is complete.
using System.Buffers;
using System.Text;

namespace Weft.Tokenizers;

/// <summary>
/// Streaming detokenizer. The concatenated output equals the pieces of all ids (as
/// <see cref="Tokenizer.Piece"/>) decoded as UTF-8; it applies no leading-space removal and no space clean-up,
/// since those look across the whole sequence.
/// </summary>
public sealed class StreamingDecoder(Tokenizer tokenizer, bool renderSpecial = false)
{
    private readonly List<byte> _pending = [];

    /// <summary>Adds one id; returns the text that became complete (possibly empty).</summary>
    public string Push(int id)
    {
        foreach (byte b in tokenizer.Piece(id, renderSpecial)) _pending.Add(b);
        return Drain(final: false);
    }

    /// <summary>Returns whatever is still held back, an incomplete character as U+FFFD.</summary>
    public string Flush() => Drain(final: true);

    /// <summary>Bytes held back because they do not yet form a whole character.</summary>
    public int PendingBytes => _pending.Count;

    private string Drain(bool final)
    {
        var bytes = _pending.ToArray().AsSpan();
        var sb = new StringBuilder();
        int i = 0;
        while (i < bytes.Length)
        {
            var status = Rune.DecodeFromUtf8(bytes[i..], out var rune, out int used);
            if (status == OperationStatus.NeedMoreData && !final) break;
            sb.Append(status == OperationStatus.Done ? rune.ToString() : "\uFFFD");
            i += used;
        }
        _pending.RemoveRange(0, i);
        return sb.ToString();
    }
}
