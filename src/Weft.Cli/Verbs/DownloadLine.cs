// The progress of a download (weft pull, weft eval's task data) as one line on stderr, redrawn in place.
using Weft.Catalog.Hub;

namespace Weft.Cli.Verbs;

/// <summary>One line on stderr redrawn in place: name, percent, bytes, speed, ETA.</summary>
internal sealed class DownloadLine
{
    private bool drawn;

    public void Show(DownloadProgress p)
    {
        if (Console.IsErrorRedirected && p.Bytes != p.Total) return; // logs get only the last line
        string percent = p.Total is long t && t > 0 ? $"{100.0 * p.Bytes / t,5:F1}% " : "";
        string of = p.Total is long total ? $"/{Mib(total)}" : "";
        string eta = p.Eta is TimeSpan e ? $" ETA {(int)e.TotalHours:00}:{e.Minutes:00}:{e.Seconds:00}" : "";
        Console.Error.Write($"\r{p.File} {percent}{Mib(p.Bytes)}{of} MiB {p.BytesPerSecond / (1 << 20),6:F1} MiB/s{eta}   ");
        drawn = true;
    }

    public void End()
    {
        if (drawn) Console.Error.WriteLine();
        drawn = false;
    }

    private static string Mib(long bytes) => (bytes / (double)(1 << 20)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
}
