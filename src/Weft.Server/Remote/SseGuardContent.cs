// An upstream event stream as read by the gateway: when the endpoint breaks off (killed, connection reset), the stream
// ends with an OpenAI error event instead of a cut connection, so a client's stream never just stops or hangs.
using System.Net;
using System.Text.Json;

namespace Weft.Server.Remote;

internal sealed class SseGuardContent(HttpContent inner, Action<string> onCut, string endpoint) : HttpContent
{
    protected override async Task<Stream> CreateContentReadStreamAsync() => new Guard(await inner.ReadAsStreamAsync(), this);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await using var guard = new Guard(await inner.ReadAsStreamAsync(), this);
        await guard.CopyToAsync(stream);
    }

    private void Broke(string why) => onCut(why);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>`data: {"error": …}` after a blank line that closes whatever event was cut in the middle.</summary>
    private byte[] ErrorEvent(string why, bool atEventEnd)
    {
        using var buffer = new MemoryStream();
        if (!atEventEnd) buffer.Write("\n\n"u8);
        buffer.Write("data: "u8);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", $"the endpoint '{endpoint}' broke off the answer: {why}");
            w.WriteString("type", "server_error");
            w.WriteNull("param");
            w.WriteString("code", "upstream_broke_off");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        buffer.Write("\n\n"u8);
        return buffer.ToArray();
    }

    private sealed class Guard(Stream upstream, SseGuardContent owner) : Stream
    {
        private byte[]? _tail;
        private int _tailAt;
        private byte _last1, _last2; // the last two bytes passed on: "\n\n" means the last event was whole

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_tail == null)
            {
                int n;
                try
                {
                    n = await upstream.ReadAsync(buffer, cancellationToken);
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    owner.Broke(e.Message);
                    _tail = owner.ErrorEvent(e.Message, _last1 == '\n' && _last2 == '\n');
                    n = -1;
                }
                if (n >= 0)
                {
                    if (n >= 2) { _last2 = buffer.Span[n - 1]; _last1 = buffer.Span[n - 2]; }
                    else if (n == 1) { _last1 = _last2; _last2 = buffer.Span[0]; }
                    return n;
                }
            }
            if (_tail == null) return 0;
            int take = Math.Min(buffer.Length, _tail.Length - _tailAt);
            _tail.AsSpan(_tailAt, take).CopyTo(buffer.Span);
            _tailAt += take;
            return take;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) upstream.Dispose();
            base.Dispose(disposing);
        }
    }
}
