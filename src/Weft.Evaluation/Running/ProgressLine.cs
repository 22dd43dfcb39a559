// One progress line on stderr: what runs, done/total, percent, rate and ETA. Redrawn in place on a terminal; on a
// pipe or file one line per tenth, so logs stay short.
using System.Diagnostics;
using System.Globalization;

namespace Weft.Evaluation.Running;

public sealed class ProgressLine(TextWriter writer, bool interactive)
{
    private string _label = "";
    private int _total;
    private long _start;
    private int _lastTenth = -1;
    private long _lastDraw;

    /// <summary>Told (label, done, total) at every step, unthrottled: for a caller that shows progress elsewhere (the
    /// server's evaluation jobs).</summary>
    public Action<string, int, int>? Observer { get; init; }

    public void Begin(string label, int total)
    {
        _label = label;
        _total = Math.Max(1, total);
        _start = Stopwatch.GetTimestamp();
        _lastTenth = -1;
        _lastDraw = 0;
        Observer?.Invoke(_label, 0, _total);
    }

    /// <summary>The total became known (or changed) after <see cref="Begin"/>.</summary>
    public void Retotal(int total) => _total = Math.Max(1, total);

    public void Report(int done)
    {
        done = Math.Clamp(done, 0, _total);
        Observer?.Invoke(_label, done, _total);
        long now = Stopwatch.GetTimestamp();
        if (interactive)
        {
            if (done < _total && Stopwatch.GetElapsedTime(_lastDraw, now).TotalMilliseconds < 200) return;
            _lastDraw = now;
            writer.Write("\r" + Line(done, now) + "   ");
            writer.Flush();
        }
        else
        {
            int tenth = done * 10 / _total;
            if (tenth == _lastTenth) return;
            _lastTenth = tenth;
            writer.WriteLine(Line(done, now));
        }
    }

    public void End(string summary)
    {
        if (interactive) writer.Write("\r" + new string(' ', 100) + "\r");
        writer.WriteLine($"{_label}: {summary} ({Format(Stopwatch.GetElapsedTime(_start).TotalSeconds)})");
        writer.Flush();
    }

    private string Line(int done, long now)
    {
        double elapsed = Stopwatch.GetElapsedTime(_start, now).TotalSeconds;
        int width = 24, filled = done * width / _total;
        string bar = new string('#', filled) + new string('.', width - filled);
        string eta = done == 0 ? "?" : Format(elapsed / done * (_total - done));
        return string.Create(CultureInfo.InvariantCulture, $"{_label} [{bar}] {done}/{_total} {100.0 * done / _total:F0}% ETA {eta}");
    }

    public static string Format(double seconds)
    {
        if (!double.IsFinite(seconds)) return "?";
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}" : $"{t.Minutes}:{t.Seconds:D2}";
    }
}
