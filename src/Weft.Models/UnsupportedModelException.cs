// The failure domain "a valid file this engine cannot run": unknown architecture, unsupported tensor type.
namespace Weft.Models;

public class UnsupportedModelException(string message) : Exception(message);

/// <summary>A prompt or generation that does not fit the context window.</summary>
public class ContextOverflowException(string message) : Exception(message);
