namespace Weft.Tokenizers;
