// Random test strings: words and runs from many scripts, emoji, digits, whitespace runs, marks, control and
// unassigned code points, and the vocabulary's own special-token texts (whole and cut short).
using System.Text;

namespace Weft.Tokenizers.Tests;

internal sealed class RandomText(int seed, IReadOnlyList<string> specialTexts)
{
    private readonly Random _rng = new(seed);

    private static readonly string[] Words =
    [
        "the", "Hello", "world", "HELLO", "don't", "I'm", "we'll", "they've", "you're", "it's", "He'd", "'s", "'LL", "'Re",
        "tokenizer", "ünïcödé", "naïve", "Ångström", "straße", "İstanbul", "ǅemal", "ﬁnance", "ＡＢＣ", "ｈｅｌｌｏ",
        "Привет", "мир", "Ελληνικά", "שלום", "مرحبا", "नमस्ते", "हिन्दी", "ภาษาไทย", "日本語", "こんにちは", "カタカナ",
        "中文字符", "你好世界", "한국어", "안녕하세요", "ᄀᄂ", "𐐀𐐨𐑍", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "e\u0301", "a\u0308\u0304", "\u0301",
        "ⅷ", "½", "²³", "١٢٣", "०१२", "Ⅻ", "µ", "ß", "ÿ", "Ĳ", "\u1C89\u1C8A", "\U000105C0", "\u0897",
        "▁", "▁▁x", "Ġ", "ĠĠ", "Ċ", "<0x41>", "<0xE2>", "[UNK]", "##ing", "[CLS]", "</s>", "<s>", "<unk>", "<|endoftext|>",
        "def", "return", "x=1;", "if(a&&b){", "}", "//", "/*", "*/", "=>", "->", "::", "==", "!=", "<=", ">=", "...", "…",
        "http://example.com/a?b=c&d=e", "foo_bar", "FooBar", "camelCase", "snake_case_name", "#include", "@user",
    ];

    private static readonly string[] Runs =
    [
        " ", "  ", "   ", "    ", "\t", "\t\t", "\n", "\n\n", "\n\n\n", "\r\n", "\r", " \n", "\n ", " \t ", "\u00A0",
        "\u3000", "\u2009", "\u200B", "\u200D", "\uFEFF", "\u2028", "\u0085", "\u000B", "\u000C", "\u0001", "\u007F",
        "\uFFFD", "\uE000", "\U0010FFFD", "!", "?!", "...", ",", ";", "''", "\"", "(", ")", "[", "]", "{", "}", "<", ">",
        "$", "+", "^", "~", "|", "`", "\\", "-", "--", "——", "«»", "「」", "。", "，", "！", "？", "、", "《》", "‘’", "“”",
        "€", "£", "¥", "₿", "∑", "∞", "≠", "√", "°", "§", "©", "®", "™", "←→", "★",
        "😀", "👍🏽", "👨‍👩‍👧", "🇩🇪", "🦙", "🔥🔥", "❤️", "🏳️‍🌈", "🙂🙃",
    ];

    private string Digits()
    {
        int n = _rng.Next(1, 13);
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.Append((char)('0' + _rng.Next(10)));
        return sb.ToString();
    }

    private string RandomCodepoints()
    {
        var sb = new StringBuilder();
        int n = _rng.Next(1, 5);
        for (int i = 0; i < n; i++)
        {
            int cp = _rng.Next(4) switch
            {
                0 => _rng.Next(0x20, 0x7F),
                1 => _rng.Next(0xA0, 0x800),
                2 => _rng.Next(0x800, 0xD800),
                _ => _rng.Next(0x10000, 0x20000),
            };
            sb.Append(char.ConvertFromUtf32(cp));
        }
        return sb.ToString();
    }

    private string Piece()
    {
        int k = _rng.Next(100);
        if (k < 35) return Words[_rng.Next(Words.Length)];
        if (k < 60) return Runs[_rng.Next(Runs.Length)];
        if (k < 72) return Digits();
        if (k < 82) return RandomCodepoints();
        if (specialTexts.Count > 0)
        {
            string s = specialTexts[_rng.Next(specialTexts.Count)];
            // sometimes only a prefix, which must not be taken for the token
            return _rng.Next(4) == 0 && s.Length > 2 ? s[..(s.Length / 2)] : s;
        }
        return Words[_rng.Next(Words.Length)];
    }

    public string Next()
    {
        var sb = new StringBuilder();
        int n = _rng.Next(1, 14);
        for (int i = 0; i < n; i++)
        {
            if (i > 0 && _rng.Next(3) == 0) sb.Append(' ');
            sb.Append(Piece());
        }
        return sb.ToString();
    }
}
