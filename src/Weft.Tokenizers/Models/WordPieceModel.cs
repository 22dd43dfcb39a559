// WordPiece (tokenizer.ggml.model = "bert"): BERT's basic normalization splits the text into words; each word,
// prefixed with U+2581, is covered left to right by the longest tokens that match; a word that cannot be covered
// completely becomes the unknown token.
namespace Weft.Tokenizers.Models;

internal static class WordPieceModel
{
    public static void Encode(Vocabulary vocab, string text, List<int> output)
    {
        foreach (string word in Normalizer.BertWords(text, vocab.Lowercase, vocab.StripAccents))
        {
            if (word.Length == 0) continue;
            string w = Normalizer.SpaceMarker + word;
            int before = output.Count;
            for (int i = 0; i < w.Length;)
            {
                int found = -1, end = 0;
                for (int j = Math.Min(w.Length, i + vocab.MaxTokenChars); j > i; j--)
                {
                    int id = vocab.TextToToken(w.AsSpan(i, j - i));
                    if (id != Vocabulary.Null) { found = id; end = j; break; }
                }
                if (found < 0)
                {
                    output.RemoveRange(before, output.Count - before);
                    break;
                }
                output.Add(found);
                i = end;
            }
            if (output.Count == before) output.Add(MissingTokenException.Require(vocab.Unk, "UNK"));
        }
    }
}
