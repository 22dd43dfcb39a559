namespace Weft.Inference;
