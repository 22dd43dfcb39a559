// A checkpoint's tokenizer files are missing, malformed or inconsistent; the message names the file and field.
namespace Weft.Tokenizers.HuggingFace;

public sealed class TokenizerFileException(string message, Exception? inner = null) : Exception(message, inner);
