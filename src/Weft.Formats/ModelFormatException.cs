// The failure domain "this file is not a valid model file": every parse error names what, where and why.
namespace Weft.Formats;

public class ModelFormatException(string message) : Exception(message);
