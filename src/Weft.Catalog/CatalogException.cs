// The one failure type of the catalog: a card, a catalog file or a model folder a user supplied is wrong.
namespace Weft.Catalog;

/// <summary>A model card, catalog entry or model folder that cannot be read; the message names the file, entry or line.</summary>
public sealed class CatalogException(string message, Exception? inner = null) : Exception(message, inner);
