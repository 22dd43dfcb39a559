// One queued generation: what to generate, where its text goes, and how it ends.
using Weft.Inference.Generation;

namespace Weft.Server.Hosting;

internal sealed class GenerationJob(GenerationRequest request, TokenSink? sink, CancellationToken cancel)
{
    public GenerationRequest Request { get; } = request;
    public TokenSink? Sink { get; } = sink;
    public CancellationToken Cancel { get; } = cancel;
    public TaskCompletionSource<GenerationResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
