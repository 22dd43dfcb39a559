// An adapter to apply and its user scale (llama.cpp's --lora FILE --lora-scale S).
namespace Weft.Models.Adapters;

/// <param name="Scale">multiplies the adapter's own alpha/rank: the update is Scale·alpha/rank·B(A x).</param>
public sealed record LoraSpec(string Path, float Scale = 1f);
