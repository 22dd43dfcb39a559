// Finds stop strings in streamed text and holds back just enough of it that a stop string is never shown.
namespace Weft.Inference.Stopping;

/// <summary>
/// Fed decoded text piece by piece, returns what is safe to show: everything except a trailing part that could
/// still grow into a stop string (and a trailing high surrogate, so pairs are never split).
/// The stop is the stop string whose last character comes first in the text; of several ending there, the longest.
/// That depends only on the text, not on how it was cut into pieces, and matches stopping as early as possible.
/// Text after the stop string is dropped.
/// </summary>
public sealed class StopStringMatcher
{
    private readonly string[] _stops; // longest first
    private readonly int _maxLength;
    private char[] _pending = new char[64];
    private int _pendingLength;
    private int _emittedLength;
    private bool _finished;

    public StopStringMatcher(IEnumerable<string> stopStrings)
    {
        ArgumentNullException.ThrowIfNull(stopStrings);
        var list = new List<string>();
        foreach (var s in stopStrings)
        {
            if (string.IsNullOrEmpty(s)) throw new ArgumentException("stop strings must not be null or empty", nameof(stopStrings));
            if (!list.Contains(s)) list.Add(s);
        }
        StopStrings = list.AsReadOnly();
        _stops = [.. list];
        Array.Sort(_stops, static (a, b) => b.Length != a.Length ? b.Length.CompareTo(a.Length) : string.CompareOrdinal(a, b));
        _maxLength = _stops.Length == 0 ? 0 : _stops[0].Length;
    }

    public IReadOnlyList<string> StopStrings { get; }

    /// <summary>True once a stop string has been hit.</summary>
    public bool IsStopped { get; private set; }

    /// <summary>The stop string that was hit, or null.</summary>
    public string? MatchedStopString { get; private set; }

    /// <summary>Characters received but not yet released.</summary>
    public int HeldBackLength => _pendingLength;

    /// <summary>Characters released so far (after a stop: the length of all text before the stop string).</summary>
    public int EmittedLength => _emittedLength;

    /// <summary>Takes the next piece of text; returns what can be shown now, or the stop.</summary>
    public StopStringResult Append(ReadOnlySpan<char> piece)
    {
        if (IsStopped) throw new InvalidOperationException("a stop string was already hit");
        if (_finished) throw new InvalidOperationException("the text was already flushed");

        int oldLength = _pendingLength;
        EnsureRoom(oldLength + piece.Length);
        piece.CopyTo(_pending.AsSpan(oldLength));
        _pendingLength += piece.Length;
        var text = _pending.AsSpan(0, _pendingLength);

        // a match must end inside the new piece: any earlier end was checked when its piece arrived
        for (int end = oldLength + 1; end <= text.Length; end++)
        {
            foreach (var stop in _stops)
            {
                if (stop.Length > end) continue;
                int start = end - stop.Length;
                if (text.Slice(start, stop.Length).SequenceEqual(stop))
                {
                    IsStopped = true;
                    MatchedStopString = stop;
                    var before = Release(start);
                    _pendingLength = 0;
                    return new StopStringResult(before, true, stop);
                }
            }
        }

        int hold = HeldSuffixLength(text);
        if (hold < text.Length && char.IsHighSurrogate(text[text.Length - hold - 1])) hold++;
        return new StopStringResult(Release(text.Length - hold), false, null);
    }

    /// <summary>The text ended without a stop: releases whatever was held back.</summary>
    public string Flush()
    {
        _finished = true;
        if (IsStopped) return string.Empty;
        return Release(_pendingLength);
    }

    /// <summary>Forgets all text and any stop, ready for a new stream.</summary>
    public void Reset()
    {
        _pendingLength = 0;
        _emittedLength = 0;
        _finished = false;
        IsStopped = false;
        MatchedStopString = null;
    }

    // The longest proper suffix of the text that is a proper prefix of some stop string.
    private int HeldSuffixLength(ReadOnlySpan<char> text)
    {
        for (int k = Math.Min(text.Length, _maxLength - 1); k > 0; k--)
        {
            var tail = text[^k..];
            foreach (var stop in _stops)
            {
                if (stop.Length > k && stop.AsSpan(0, k).SequenceEqual(tail)) return k;
            }
        }
        return 0;
    }

    // Hands out the first count pending characters and keeps the rest.
    private string Release(int count)
    {
        if (count == 0) return string.Empty;
        string s = new(_pending, 0, count);
        int rest = _pendingLength - count;
        Array.Copy(_pending, count, _pending, 0, rest);
        _pendingLength = rest;
        _emittedLength += count;
        return s;
    }

    private void EnsureRoom(int needed)
    {
        if (needed <= _pending.Length) return;
        Array.Resize(ref _pending, Math.Max(needed, _pending.Length * 2));
    }
}
