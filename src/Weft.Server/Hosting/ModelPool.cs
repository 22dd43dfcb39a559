// Loads models on first use and evicts the least recently used idle ones when the memory budget is exceeded.
using Weft.Models;
using Weft.Server.Api;
using Weft.Tensors.Threading;

namespace Weft.Server.Hosting;

public sealed class ModelPool : IDisposable
{
    private readonly ServerOptions _options;
    private readonly WorkerPool _workers;
    private readonly Dictionary<string, Task<LoadedModel>> _models = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ModelPool(ModelCatalog catalog, ServerOptions options)
    {
        Catalog = catalog;
        _options = options;
        _workers = new WorkerPool(options.Threads);
    }

    public ModelCatalog Catalog { get; }

    /// <summary>Models being loaded right now (health reports 503 while this is not 0).</summary>
    public int LoadingCount
    {
        get { lock (_lock) return _models.Values.Count(t => !t.IsCompleted); }
    }

    public IReadOnlyList<LoadedModel> Loaded
    {
        get { lock (_lock) return [.. _models.Values.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)]; }
    }

    /// <summary>The loaded model for an id from a request; 404 when the catalog has no such model.</summary>
    public Task<LoadedModel> GetAsync(string id)
    {
        var entry = Catalog.Find(id) ?? throw ApiException.NotFound($"the model '{id}' does not exist; GET /v1/models lists the available ones", "model");
        if (entry.Problem != null) throw new ApiException(500, $"the model '{id}' cannot be loaded: {entry.Problem}", "server_error", "model", "model_load_failed");
        lock (_lock)
        {
            if (_models.TryGetValue(id, out var task))
            {
                if (!task.IsFaulted) return task;
                _models.Remove(id);
            }
            EvictFor(entry.Bytes);
            task = Task.Run(() => Load(entry));
            _models[id] = task;
            return task;
        }
    }

    private LoadedModel Load(ModelEntry entry)
    {
        var model = Model.Load(entry.Path, [.. AdapterFit.For(entry.Path, _options.Adapters), .. entry.Variant]);
        try
        {
            int context = ContextFor(model.Config.TrainContextLength);
            int slots = _options.Parallel > 0 ? _options.Parallel
                : AutoSlots(model.Config.LayerCount, context, model.Config.KeyWidth + model.Config.ValueWidth, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
            return new LoadedModel(entry, model, _workers, context, slots, Math.Max(1, _options.QueueLimit));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Most slots chosen without --parallel: enough for the chat page's four compare columns of one model.</summary>
    public const int MaxAutoSlots = 4;

    /// <summary>Slots when none are asked for: as many as keep their KV caches (float32 keys and values of every layer,
    /// <paramref name="context"/> positions each) within a quarter of <paramref name="memory"/>, from 1 to
    /// <see cref="MaxAutoSlots"/>. A 7B Llama 2 at 4096 tokens (4 GiB a slot) gets 1 on a 24 GiB machine.</summary>
    /// <param name="kvWidth">key width plus value width of one position (floats)</param>
    public static int AutoSlots(int layers, int context, int kvWidth, long memory)
    {
        long perSlot = Math.Max(1, (long)layers * context * kvWidth * sizeof(float));
        return (int)Math.Clamp(memory / 4 / perSlot, 1, MaxAutoSlots);
    }

    /// <summary>The context a model trained on <paramref name="train"/> tokens runs with here: --ctx-size when given (at
    /// most the training context), else the training context up to 4096.</summary>
    public int ContextFor(int train) => _options.ContextSize > 0 ? Math.Min(_options.ContextSize, train) : Math.Min(train, 4096);

    /// <summary>Unloads a model once it is idle (Ollama's keep_alive 0), waiting at most <paramref name="wait"/> for the
    /// requests it runs to leave their slots; false when it was not loaded or stayed busy.</summary>
    public async Task<bool> UnloadWhenIdleAsync(string id, TimeSpan? wait = null)
    {
        var until = DateTime.UtcNow + (wait ?? TimeSpan.FromSeconds(2));
        while (true)
        {
            lock (_lock)
            {
                if (!_models.TryGetValue(id, out var task) || !task.IsCompletedSuccessfully) return false;
                if (task.Result.Idle)
                {
                    _models.Remove(id);
                    task.Result.Dispose();
                    return true;
                }
            }
            if (DateTime.UtcNow >= until) return false;
            await Task.Delay(10);
        }
    }

    /// <summary>Unloads idle models, least recently used first, until <paramref name="incoming"/> more bytes fit the budget.</summary>
    private void EvictFor(long incoming)
    {
        if (_options.MemoryBudget <= 0) return;
        var loaded = _models.Where(kv => kv.Value.IsCompletedSuccessfully).Select(kv => kv.Value.Result).OrderBy(m => m.LastUsed).ToList();
        long used = loaded.Sum(m => m.Entry.Bytes);
        foreach (var m in loaded)
        {
            if (used + incoming <= _options.MemoryBudget) break;
            if (!m.Idle) continue;
            _models.Remove(m.Entry.Id);
            used -= m.Entry.Bytes;
            m.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var t in _models.Values)
                if (t.IsCompletedSuccessfully) t.Result.Dispose();
            _models.Clear();
        }
        _workers.Dispose();
    }
}
