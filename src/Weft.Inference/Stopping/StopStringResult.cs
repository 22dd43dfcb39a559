// What the stop-string matcher says after each piece of streamed text.
namespace Weft.Inference.Stopping;

/// <param name="Text">Text that may be shown now. When <paramref name="Stopped"/>, the last text before the stop string.</param>
/// <param name="Stopped">True when a stop string has been completed; generation should end.</param>
/// <param name="StopString">The stop string that was hit, or null.</param>
public readonly record struct StopStringResult(string Text, bool Stopped, string? StopString);
