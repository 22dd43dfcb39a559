// Markdown features of an answer: headers, list items and bold spans, none of them counted inside fenced code.
using Weft.Evaluation.Arena;

namespace Weft.Evaluation.Tests.Arena;

public sealed class AnswerStyleTests
{
    [Fact]
    public void Headers_lists_and_bold_are_counted_outside_code_fences()
    {
        const string md = """
            # Title
            Some **bold** text and __more bold__ and **another**.
            ## Section
            ###### Six
            ####### seven is not a header
            #hashtag is not a header
              # indented is not a header
            - one
            * two
            + three
              - nested
            1. first
            12. twelfth
            10) not ours
            -not a list
            --- is a rule
            **bold at the start** is not a list item
            ```python
            # a comment, not a header
            - not a list
            **not bold**
            ```
            ~~~~
            # still code
            ```
            # still code: a ``` fence does not close ~~~~
            ~~~~
            after the fences: **x**
            """;
        var s = AnswerStyle.Of(md, 321);
        Assert.Equal(new AnswerStyle(321, Headers: 3, ListItems: 6, BoldSpans: 5), s);
    }

    [Fact]
    public void An_unclosed_fence_hides_the_rest()
    {
        Assert.Equal(new AnswerStyle(1, 1, 0, 0), AnswerStyle.Of("# a\n```\n# b\n- c\n**d**", 1));
    }

    [Fact]
    public void Windows_line_ends_and_empty_headers_count()
    {
        Assert.Equal(new AnswerStyle(0, 2, 1, 1), AnswerStyle.Of("#\r\n## x\r\n- **y**\r\n", 0));
    }

    [Fact]
    public void Plain_text_has_no_features_and_bold_needs_both_ends_on_one_line()
    {
        Assert.Equal(new AnswerStyle(5, 0, 0, 0), AnswerStyle.Of("just words, 2 * 3 = 6, a__b\n**open\nclose**", 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => AnswerStyle.Of("", -1));
    }
}
