// GBNF text -> grammar: the syntax llama.cpp's grammars use, and errors that say where the grammar is wrong.
using Weft.Inference.Grammar;
using G = Weft.Inference.Grammar.Grammar;

namespace Weft.Inference.Tests.Grammar;

public class GbnfParserTests
{
    [Theory]
    [InlineData("root ::= \"a\" | \"b\"", "a", true)]
    [InlineData("root ::= \"a\" | \"b\"", "ab", false)]
    [InlineData("root ::= (\"ab\")+ \"c\"?", "ababc", true)]
    [InlineData("root ::= (\"ab\")+ \"c\"?", "c", false)]
    [InlineData("root ::= [a-c]*", "", true)]
    [InlineData("root ::= [a-c]*", "abcabc", true)]
    [InlineData("root ::= [a-c]*", "abd", false)]
    [InlineData("root ::= [^a-c]+", "xyz", true)]
    [InlineData("root ::= [^a-c]+", "xaz", false)]
    [InlineData("root ::= . . .", "a\u00e9\U0001F600", true)]
    [InlineData("root ::= \"x\"{3}", "xxx", true)]
    [InlineData("root ::= \"x\"{3}", "xx", false)]
    [InlineData("root ::= \"x\"{2,}", "xxxxx", true)]
    [InlineData("root ::= \"x\"{2,}", "x", false)]
    [InlineData("root ::= \"x\"{1,3}", "xxx", true)]
    [InlineData("root ::= \"x\"{1,3}", "xxxx", false)]
    [InlineData("root ::= \"x\"{,2}", "", true)]
    [InlineData("root ::= \"\\n\\t\\\\\\\"\"", "\n\t\\\"", true)]
    [InlineData("root ::= \"\\x41\\u00e9\\U0001F600\"", "A\u00e9\U0001F600", true)]
    [InlineData("root ::= [\\x30-\\x39\\]]+", "12]3", true)]
    [InlineData("root ::= [-a]+", "-a-", true)]
    public void MatchesWholeStrings(string gbnf, string text, bool expected) =>
        Assert.Equal(expected, G.Parse(gbnf).Matches(text));

    [Fact]
    public void RulesRunOverLinesWithCommentsAndGroups()
    {
        const string gbnf = """
            # a list of numbers
            root ::= "[" ws (
                number
                ("," ws number)*   # more
              )? "]"
            number ::= [0-9]+
              | "-" [0-9]+
            ws ::= " "?
            """;
        var g = G.Parse(gbnf);
        Assert.True(g.Matches("[1, -2,3]"));
        Assert.True(g.Matches("[]"));
        Assert.False(g.Matches("[1,,2]"));
        Assert.False(g.Matches("[1"));
    }

    [Fact]
    public void RecursionThatIsNotLeftRecursionWorks()
    {
        var g = G.Parse("root ::= \"(\" root \")\" | \"x\"");
        Assert.True(g.Matches("(((x)))"));
        Assert.False(g.Matches("((x)"));
    }

    [Theory]
    [InlineData("root ::= foo", "rule 'foo' is used but never defined", 1, 10)]
    [InlineData("a ::= \"x\"", "no 'root' rule", 1, 1)]
    [InlineData("root ::= (\"a\"", "unbalanced '('", 1, 10)]
    [InlineData("root ::= \"a\")", "unbalanced ')'", 1, 13)]
    [InlineData("root ::= [a-z", "unbalanced '['", 1, 10)]
    [InlineData("root ::= \"abc", "unterminated string literal", 1, 10)]
    [InlineData("root ::= \"a\"\nroot ::= \"b\"", "defined twice", 2, 1)]
    [InlineData("root ::= x\nx ::= x \"a\" | \"b\"", "left-recursive", 2, 1)]
    [InlineData("root ::= \"a\"{3,1}", "maximum below its minimum", 1, 13)]
    [InlineData("root ::= \"\\q\"", "unknown escape", 1, 11)]
    [InlineData("root = \"a\"", "expected '::='", 1, 6)]
    [InlineData("root ::= [z-a]", "reversed", 1, 14)]
    public void BadGrammarsNameLineAndColumn(string gbnf, string message, int line, int column)
    {
        var e = Assert.Throws<GrammarException>(() => G.Parse(gbnf));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        Assert.Contains($"line {line}, column {column}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LeftRecursionThroughANullablePrefixIsFound()
    {
        var e = Assert.Throws<GrammarException>(() => G.Parse("root ::= a\na ::= b? a \"x\" | \"y\"\nb ::= \"z\""));
        Assert.Contains("left-recursive", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileNestingIsRefusedNotOverflowed()
    {
        Assert.Contains("nest deeper", Assert.Throws<GrammarException>(() => G.Parse("root ::= " + new string('(', 100_000) + "\"a\"" + new string(')', 100_000))).Message, StringComparison.Ordinal);
        Assert.Contains("repetition operators", Assert.Throws<GrammarException>(() => G.Parse("root ::= \"a\"" + new string('?', 100_000))).Message, StringComparison.Ordinal);
        var chain = string.Join("\n", Enumerable.Range(0, 5000).Select(i => $"r{i} ::= r{i + 1} \"x\"")) + "\nr5000 ::= \"y\"\nroot ::= r0";
        Assert.True(G.Parse(chain).Matches("y" + new string('x', 5000))); // a long chain of rules is no deep recursion
        Assert.Contains("'pattern'", Assert.Throws<GrammarException>(() => G.FromJsonSchema($"{{\"type\":\"string\",\"pattern\":\"{new string('(', 5000)}a{new string(')', 5000)}\"}}")).Message, StringComparison.Ordinal);
    }
}
