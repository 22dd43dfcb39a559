// Evaluations started from the catalog page: `weft eval` on one of the server's models, in the background, one job at
// a time (scoring takes every core), each stored in DataDirectory/weft.db as it finishes so the leaderboard shows it.
// A job waits (queued), runs (with the task and item it is on), and ends done, failed (with the reason) or cancelled.
using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Weft.Evaluation.Data;
using Weft.Evaluation.Reports;
using Weft.Evaluation.Results;
using Weft.Evaluation.Running;
using Weft.Evaluation.Storage;
using Weft.Evaluation.Tasks;

namespace Weft.Server.Hosting;

public enum EvalState { Queued, Running, Done, Failed, Cancelled }

/// <summary>One evaluation and where it stands; a reader sees each field whole.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "a CancellationTokenSource without a timer holds nothing to free, and a job outlives its run (the page may still cancel it)")]
public sealed class EvalJob(string id, string model, string path, IReadOnlyList<TaskDefinition> tasks, int limit, bool speed)
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly ConcurrentQueue<TaskRun> _runs = new();

    public string Id { get; } = id;
    /// <summary>The server's id of the model.</summary>
    public string Model { get; } = model;
    public string Path { get; } = path;
    public IReadOnlyList<TaskDefinition> Tasks { get; } = tasks;
    public int Limit { get; } = limit;
    public bool MeasureSpeed { get; } = speed;
    public DateTime Created { get; } = DateTime.UtcNow;
    public EvalState State { get; internal set; } = EvalState.Queued;
    /// <summary>What runs now ("chat kjv-verse-choice") and how far it is.</summary>
    public string? Step { get; internal set; }
    public int StepDone { get; internal set; }
    public int StepTotal { get; internal set; }
    public string? Error { get; internal set; }
    /// <summary>The name the leaderboard shows this model under.</summary>
    public string? ResultName { get; internal set; }
    public IReadOnlyList<TaskRun> Runs => [.. _runs];
    internal CancellationToken Token => _cancel.Token;

    internal void Add(TaskRun run) => _runs.Enqueue(run);

    public void Cancel() => _cancel.Cancel();
}

public sealed class EvalJobs(ServerOptions options, IHostApplicationLifetime lifetime) : IDisposable
{
    private const int Kept = 100; // jobs remembered, newest first
    private readonly ConcurrentDictionary<string, EvalJob> _jobs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _one = new(1, 1);
    private int _next;

    public IReadOnlyList<EvalJob> All => [.. _jobs.Values.OrderByDescending(j => j.Created)];

    public EvalJob? Find(string id) => _jobs.GetValueOrDefault(id);

    /// <summary>At shutdown (the container disposes its singletons): every job has been told to stop by then.</summary>
    public void Dispose() => _one.Dispose();

    public EvalJob Start(string model, string path, IReadOnlyList<TaskDefinition> tasks, int limit, bool speed)
    {
        var job = new EvalJob("eval-" + Interlocked.Increment(ref _next), model, path, tasks, limit, speed);
        _jobs[job.Id] = job;
        foreach (var old in _jobs.Values.Where(j => j.State is not (EvalState.Queued or EvalState.Running)).OrderByDescending(j => j.Created).Skip(Kept))
            _jobs.TryRemove(old.Id, out _);
        _ = Task.Run(() => RunAsync(job));
        return job;
    }

    private async Task RunAsync(EvalJob job)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(job.Token, lifetime.ApplicationStopping);
        try
        {
            await _one.WaitAsync(both.Token);
        }
        catch (OperationCanceledException)
        {
            job.State = EvalState.Cancelled;
            return;
        }
        try
        {
            job.State = EvalState.Running;
            await Task.Run(() => Run(job, both.Token), CancellationToken.None);
            job.State = both.IsCancellationRequested ? EvalState.Cancelled
                : job.Runs.FirstOrDefault(r => r.Error != null) is { } failed ? EvalState.Failed : EvalState.Done;
            if (job.State == EvalState.Failed) job.Error ??= $"{job.Runs.First(r => r.Error != null).Task}: {job.Runs.First(r => r.Error != null).Error}";
        }
        catch (OperationCanceledException)
        {
            job.State = EvalState.Cancelled;
        }
        catch (Exception e) // whatever fails in a background evaluation is reported on the job, never thrown at the server
        {
            job.Error = e is TaskDataException or IOException or ArgumentException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            job.State = EvalState.Failed;
        }
        finally
        {
            _one.Release();
        }
    }

    private void Run(EvalJob job, CancellationToken cancel)
    {
        var spec = new ModelSpec(job.Path, []);
        job.ResultName = spec.Name;
        var eval = new EvalOptions
        {
            Tasks = job.Tasks,
            Limit = job.Limit,
            Threads = options.Threads,
            MeasureSpeed = job.MeasureSpeed,
            DataFolders = options.EvalDataFolders ?? TaskData.DefaultFolders(),
        };
        var progress = new ProgressLine(TextWriter.Null, interactive: false)
        {
            Observer = (label, done, total) => { job.Step = label; job.StepDone = done; job.StepTotal = total; },
        };
        string db = System.IO.Path.Combine(options.DataDirectory, ResultStore.FileName);
        string? modelError = null;
        var runner = new EvalRunner(eval, progress, TextWriter.Null)
        {
            ModelFinished = facts =>
            {
                modelError = facts.Error;
                using var store = ResultStore.Open(db);
                store.Save(facts);
            },
            RunFinished = run =>
            {
                job.Add(run);
                if (run.Error != null) return; // a failed run does not replace a good stored one
                using var store = ResultStore.Open(db);
                store.Save(run);
            },
            Machine = MachineInfo.Describe,
        };
        runner.Run([spec], cancel);
        if (job.Runs.Count == 0 && modelError != null) throw new ArgumentException(modelError);
    }
}
