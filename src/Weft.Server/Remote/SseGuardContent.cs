// An upstream event stream as read by the gateway: opening events that carry no answer yet are held back until one
// does (an endpoint that dies before its first token has sent the caller nothing, so another replica can answer);
// when the endpoint breaks off later (killed, connection reset), the stream ends with an OpenAI error event instead
// of a cut connection, so a client's stream never just stops or hangs.
using System.Net;
using System.Text.Json;
using Weft.Server.Api;

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
            ErrorWriter.Body(w, new ApiException(502, $"the endpoint '{endpoint}' broke off the answer: {why}", "server_error", code: "upstream_broke_off"));
        buffer.Write("\n\n"u8);
        return buffer.ToArray();
    }

    private sealed class Guard(Stream upstream, SseGuardContent owner) : Stream
    {
        /// <summary>Most bytes of opening events held back; past it they go out (an upstream that never says more is
        /// still passed on).</summary>
        private const int HoldLimit = 64 << 10;

        private readonly MemoryStream _held = new();
        private bool _holding = true;
        private int _judged; // bytes of _held whose events were found to be opening events
        private byte[]? _out; // bytes to hand out: the released hold, then the error event
        private int _outAt;
        private bool _ended;
        private byte _last1, _last2; // the last two bytes passed on: "\n\n" means the last event was whole

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                if (_out != null && _outAt < _out.Length) return HandOut(buffer);
                if (_ended) return 0;
                var into = _holding ? new byte[Math.Max(buffer.Length, 4096)] : buffer;
                int n;
                try
                {
                    n = await upstream.ReadAsync(into, cancellationToken);
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    if (_holding) throw; // the caller has nothing yet: the gateway may try another replica
                    owner.Broke(e.Message);
                    Queue(owner.ErrorEvent(e.Message, _last1 == '\n' && _last2 == '\n'));
                    _ended = true;
                    continue;
                }
                if (!_holding)
                {
                    if (n == 0) return 0;
                    Passed(into.Span[..n]);
                    return n;
                }
                if (n == 0) _ended = true;
                else _held.Write(into.Span[..n]);
                if (n == 0 || !StillOpening()) Release();
            }
        }

        /// <summary>Judges the events of the hold that are whole; false once one carries an answer (or the hold is full).</summary>
        private bool StillOpening()
        {
            var bytes = _held.GetBuffer().AsSpan(0, (int)_held.Length);
            while (bytes[_judged..].IndexOf("\n\n"u8) is int end and >= 0)
            {
                if (!OpeningEvent.Is(bytes.Slice(_judged, end))) return false;
                _judged += end + 2;
            }
            return _held.Length <= HoldLimit;
        }

        private void Release()
        {
            _holding = false;
            var bytes = _held.ToArray();
            Passed(bytes);
            Queue(bytes);
        }

        private void Queue(byte[] bytes)
        {
            _out = _out == null || _outAt >= _out.Length ? bytes : [.. _out.AsSpan(_outAt), .. bytes];
            _outAt = 0;
        }

        private int HandOut(Memory<byte> buffer)
        {
            int take = Math.Min(buffer.Length, _out!.Length - _outAt);
            _out.AsSpan(_outAt, take).CopyTo(buffer.Span);
            _outAt += take;
            return take;
        }

        private void Passed(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length >= 2) { _last1 = bytes[^2]; _last2 = bytes[^1]; }
            else if (bytes.Length == 1) { _last1 = _last2; _last2 = bytes[0]; }
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
            if (disposing)
            {
                upstream.Dispose();
                _held.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
