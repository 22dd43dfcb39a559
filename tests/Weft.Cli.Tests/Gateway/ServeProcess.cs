// A `weft serve` child process on a loopback port: started from the built weft.dll, ready once it says it serves,
// killed at once (as a crash would), and started again on the same port.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Weft.Cli.Tests.Gateway;

public sealed class ServeProcess : IDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);
    private readonly string[] _args;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private ServeProcess(int port, string[] args)
    {
        Port = port;
        _args = args;
    }

    public int Port { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");
    /// <summary>Read from other threads while <see cref="Kill"/> may be disposing the process: a disposed one is not running.</summary>
    public bool Running
    {
        get
        {
            var p = _process;
            try { return p is { HasExited: false }; }
            catch (InvalidOperationException) { return false; }
        }
    }
    /// <summary>What the process wrote to stderr and stdout, for failure messages.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Starts `weft serve --port PORT ARGS…` on a free loopback port and waits until it serves.</summary>
    public static async Task<ServeProcess> StartAsync(params string[] args)
    {
        var p = new ServeProcess(FreePort(), args);
        await p.StartAsync();
        return p;
    }

    /// <summary>Starts again on the same port after <see cref="Kill"/>.</summary>
    public async Task StartAsync()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.Environment["HF_HUB_CACHE"] = WeftProcess.NoCache;
        psi.Environment["OLLAMA_MODELS"] = WeftProcess.NoCache;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "weft.dll"));
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add("--port");
        psi.ArgumentList.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var a in _args) psi.ArgumentList.Add(a);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = psi };
        DataReceivedEventHandler log = (_, e) =>
        {
            if (e.Data == null) return;
            lock (_log) _log.AppendLine(e.Data);
            if (e.Data.StartsWith("weft: serving", StringComparison.Ordinal)) ready.TrySetResult();
        };
        process.ErrorDataReceived += log;
        process.OutputDataReceived += log;
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(StartLimit));
        if (first != ready.Task) throw new InvalidOperationException($"weft serve on port {Port} did not start:\n{Log}");
    }

    /// <summary>Kills the process at once: its connections are cut, its port refuses.</summary>
    public void Kill()
    {
        if (_process is not { } p) return;
        _process = null; // readers see it gone before it is disposed
        if (!p.HasExited) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        p.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => Kill();
}
