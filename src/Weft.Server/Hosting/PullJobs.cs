// Pulls started from the catalog page: each runs in the background into the server's pull caches, reports its progress
// and ends done (the model is then offered like any other), failed (with the reason) or cancelled (the partial is kept
// and the same pull resumes it). One pull per spec runs at a time; asking again returns the running one.
using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Weft.Catalog;
using Weft.Catalog.Hub;

namespace Weft.Server.Hosting;

public enum PullState { Running, Done, Failed, Cancelled }

/// <summary>One pull and where it stands; fields are replaced whole, so a reader sees a consistent snapshot.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "a CancellationTokenSource without a timer holds nothing to free, and a pull outlives its run (the page may still cancel it)")]
public sealed class PullJob(string id, PullSpec spec)
{
    private readonly CancellationTokenSource _cancel = new();

    public string Id { get; } = id;
    public PullSpec Spec { get; } = spec;
    public DateTime Started { get; } = DateTime.UtcNow;
    public PullState State { get; internal set; } = PullState.Running;
    public DownloadProgress? Progress { get; internal set; }
    public PullResult? Result { get; internal set; }
    public string? Error { get; internal set; }
    internal CancellationToken Token => _cancel.Token;

    public void Cancel() => _cancel.Cancel();
}

public sealed class PullJobs(ServerOptions options, IHostApplicationLifetime lifetime)
{
    private const int Kept = 100; // finished jobs remembered, newest first
    private readonly ConcurrentDictionary<string, PullJob> _jobs = new(StringComparer.Ordinal);
    private int _next;

    public bool Enabled => options.Hub != null;

    public IReadOnlyList<PullJob> All => [.. _jobs.Values.OrderByDescending(j => j.Started)];

    public PullJob? Find(string id) => _jobs.GetValueOrDefault(id);

    /// <summary>Starts a pull of <paramref name="spec"/>, or returns the one already running for it.</summary>
    public PullJob Start(PullSpec spec)
    {
        var hub = options.Hub ?? throw new InvalidOperationException("no pull cache");
        lock (_jobs)
        {
            if (_jobs.Values.FirstOrDefault(j => j.State == PullState.Running && j.Spec == spec) is { } running) return running;
            var job = new PullJob("pull-" + Interlocked.Increment(ref _next), spec);
            _jobs[job.Id] = job;
            Forget();
            _ = Task.Run(() => RunAsync(job, hub));
            return job;
        }
    }

    private async Task RunAsync(PullJob job, HubOptions hub)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(job.Token, lifetime.ApplicationStopping);
        try
        {
            using var puller = new HubPuller(hub);
            job.Result = await puller.PullAsync(job.Spec, p => job.Progress = p, both.Token);
            job.State = PullState.Done;
        }
        catch (OperationCanceledException)
        {
            job.Error = "cancelled; the partial download is kept and the same pull resumes it";
            job.State = PullState.Cancelled;
        }
        catch (Exception e) // a background pull's failure, whatever it is, is reported on the job, never thrown at the server
        {
            job.Error = e is HubException or CatalogException or HttpRequestException or IOException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            job.State = PullState.Failed;
        }
    }

    /// <summary>Drops the oldest finished jobs beyond <see cref="Kept"/>.</summary>
    private void Forget()
    {
        foreach (var old in _jobs.Values.Where(j => j.State != PullState.Running).OrderByDescending(j => j.Started).Skip(Kept))
            _jobs.TryRemove(old.Id, out _);
    }
}
