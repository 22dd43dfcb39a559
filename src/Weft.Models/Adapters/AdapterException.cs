// The failure domain "this adapter cannot be used with this base model": not a LoRA adapter, another architecture,
// a factor naming a weight the base lacks or has in another shape, or a weight Weft cannot adapt at inference.
namespace Weft.Models.Adapters;

public sealed class AdapterException(string message) : Exception(message);
