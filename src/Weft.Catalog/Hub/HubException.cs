// The one failure type of pulling and searching: a bad spec, a refused request, a corrupt or unfinished download.
namespace Weft.Catalog.Hub;

/// <summary>A pull or search failed for a reason the user can act on; the message names the URL, file or spec.</summary>
public sealed class HubException(string message, Exception? inner = null) : Exception(message, inner);
