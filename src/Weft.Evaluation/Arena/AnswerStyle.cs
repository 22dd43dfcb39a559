// The style of one answer (length and markdown), the covariates of style control.
using System.Text.RegularExpressions;

namespace Weft.Evaluation.Arena;

/// <summary>Style features of one answer: its length in tokens and its markdown features.</summary>
public sealed partial record AnswerStyle(int Tokens, int Headers, int ListItems, int BoldSpans)
{
    /// <summary>Counts, outside fenced code blocks (``` or ~~~, up to three spaces in; an unclosed fence runs to the
    /// end): ATX headers (1 to 6 '#' at the very start of a line, then white space or the line's end), list items
    /// ('-', '*', '+' or digits and '.' after any indentation, then white space or the line's end) and bold spans
    /// (**text** or __text__ within one line) — the counts Chatbot Arena's style control uses.</summary>
    public static AnswerStyle Of(string markdown, int tokens)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        int headers = 0, lists = 0, bold = 0;
        char fence = '\0';
        int fenceLength = 0;
        foreach (string raw in markdown.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            var open = FenceLine().Match(line);
            if (fence == '\0')
            {
                if (open.Success)
                {
                    fence = open.Groups[1].Value[0];
                    fenceLength = open.Groups[1].Length;
                    continue;
                }
            }
            else
            {
                // a closing fence: the same character, at least as many, nothing after it but spaces
                if (open.Success && open.Groups[1].Value[0] == fence && open.Groups[1].Length >= fenceLength
                    && string.IsNullOrWhiteSpace(line[open.Length..]))
                    fence = '\0';
                continue;
            }
            if (Header().IsMatch(line)) headers++;
            if (ListItem().IsMatch(line)) lists++;
            bold += Bold().Count(line);
        }
        return new AnswerStyle(tokens, headers, lists, bold);
    }

    [GeneratedRegex(@"^ {0,3}(`{3,}|~{3,})")]
    private static partial Regex FenceLine();

    [GeneratedRegex(@"^#{1,6}(\s|$)")]
    private static partial Regex Header();

    [GeneratedRegex(@"^\s*([-*+]|\d+\.)(\s|$)")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"\*\*[^*]+\*\*|__[^_]+__")]
    private static partial Regex Bold();
}
