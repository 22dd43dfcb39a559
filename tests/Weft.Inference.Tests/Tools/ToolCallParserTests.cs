// The answer parser on each layout: whole answers, the same answers streamed split at every position (the pieces must
// reassemble into the whole parse), several calls, text before a call, and malformed calls left as text.
using System.Text;
using Weft.Inference.Tools;

namespace Weft.Inference.Tests.Tools;

public class ToolCallParserTests
{
    private static readonly ToolCallFormat Hermes = new()
    {
        Opening = "<tool_call>\n", Between = "\n</tool_call>\n<tool_call>\n", Closing = "\n</tool_call>", Layout = ToolCallLayout.JsonObject,
        Head = "{\"name\": \"{0}\", \"arguments\": ",
    };
    private static readonly ToolCallFormat Mistral = new()
    {
        Opening = "[TOOL_CALLS][", Between = ", ", Closing = "]", Layout = ToolCallLayout.JsonObject, IdKey = "id",
        Head = "{\"name\": \"{0}\", \"arguments\": ", Tail = ", \"id\": \"{id}\"}",
    };
    private static readonly ToolCallFormat Llama = new()
    {
        Opening = "", Closing = "", Layout = ToolCallLayout.JsonObject, ArgumentsKey = "parameters", Head = "{\"name\": \"{0}\", \"parameters\": ",
    };
    private static readonly ToolCallFormat FunctionTags = new()
    {
        Opening = "<function=", Between = "</function><function=", Closing = "</function>", Layout = ToolCallLayout.NameThenArguments, NameSeparator = ">",
    };
    private static readonly ToolCallFormat Recipients = new()
    {
        Opening = "", Between = ">>>", Closing = "", Layout = ToolCallLayout.NameThenArguments, NameSeparator = "\n", ContentPrefix = "all\n",
    };
    private static readonly ToolCallFormat CallIds = new()
    {
        Opening = "[TOOL_CALLS]", Between = "[TOOL_CALLS]", Closing = "", Layout = ToolCallLayout.NameThenArguments, NameSeparator = "[CALL_ID]{id}[ARGS]",
    };

    private static string Id(int i) => $"call{i}";

    public static TheoryData<string, string, string, string[]> Answers => new()
    {
        // format, answer, expected content, expected calls as name|arguments
        { "hermes", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", "", ["get_weather|{\"city\": \"Paris\"}"] },
        { "hermes", "Let me look.\n<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": [1, {\"y\": \"}\"}]}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": {}}\n</tool_call>",
            "Let me look.", ["a|{\"x\": [1, {\"y\": \"}\"}]}", "b|{}"] },
        { "hermes", "<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call>\n\n<tool_call>{\"name\": \"b\", \"arguments\": {\"k\": true}}</tool_call>", "", ["a|{}", "b|{\"k\": true}"] },
        { "hermes", "No call here, just <tool text.", "No call here, just <tool text.", [] },
        { "hermes", "<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": 1}", "<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": 1}", [] }, // cut short
        { "hermes", "<tool_call>\nnot json\n</tool_call>", "<tool_call>\nnot json\n</tool_call>", [] },
        { "mistral", "[TOOL_CALLS][{\"name\": \"a\", \"arguments\": {\"q\": \"x\"}, \"id\": \"abcdefghi\"}, {\"name\": \"b\", \"arguments\": {}, \"id\": \"bcdefghij\"}]", "", ["a|{\"q\": \"x\"}", "b|{}"] },
        { "llama", "{\"name\": \"get_time\", \"parameters\": {\"zone\": \"UTC\"}}", "", ["get_time|{\"zone\": \"UTC\"}"] },
        { "llama", "{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}", "", ["get_time|{\"zone\": \"UTC\"}"] }, // the other usual key is read too
        { "llama", "Hello {there}", "Hello {there}", [] },
        { "functions", "<function=search>{\"q\": \"weft\"}</function>", "", ["search|{\"q\": \"weft\"}"] },
        { "functions", "Sure. <function=a>{}</function><function=b>{\"n\": -1.5e3}</function>", "Sure.", ["a|{}", "b|{\"n\": -1.5e3}"] },
        { "recipients", "all\nJust text.", "Just text.", [] },
        { "recipients", "lookup\n{\"id\": 7}>>>other\n{}", "", ["lookup|{\"id\": 7}", "other|{}"] },
        { "callids", "[TOOL_CALLS]get_weather[CALL_ID]a1B2c3D4e[ARGS]{\"city\": \"Oslo\"}", "", ["get_weather|{\"city\": \"Oslo\"}"] },
    };

    private static ToolCallFormat Named(string name) => name switch
    {
        "hermes" => Hermes, "mistral" => Mistral, "llama" => Llama, "functions" => FunctionTags, "recipients" => Recipients, _ => CallIds,
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void WholeAnswersSplitIntoContentAndCalls(string format, string answer, string content, string[] calls)
    {
        var a = ToolCallParser.Parse(Named(format), answer, Id);
        Assert.Equal(content, a.Content);
        Assert.Equal(calls, a.Calls.Select(c => c.Name + "|" + c.Arguments).ToArray());
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public void StreamedAnswersSplitAnywhereReassembleIntoTheWholeParse(string format, string answer, string content, string[] calls)
    {
        var whole = ToolCallParser.Parse(Named(format), answer, Id);
        Assert.Equal(content, whole.Content);
        // an answer cut off inside a call has streamed that call's start: it stays a call (documented), unlike the whole parse
        bool cutShort = calls.Length == 0 && answer.StartsWith("<tool_call>\n{", StringComparison.Ordinal);
        for (int cut = 0; cut <= answer.Length; cut++)
            for (int second = cut; second <= answer.Length; second += Math.Max(1, answer.Length / 7))
            {
                var stream = new ToolCallStream(Named(format), Id);
                var steps = new[] { stream.Push(answer[..cut]), stream.Push(answer[cut..second]), stream.Push(answer[second..]), stream.Complete() };
                var text = new StringBuilder();
                var started = new List<(string Id, string Name)>();
                var args = new List<StringBuilder>();
                foreach (var step in steps)
                {
                    text.Append(step.Content);
                    foreach (var d in step.Calls)
                    {
                        if (d.Name != null)
                        {
                            Assert.Equal(started.Count, d.Index);
                            started.Add((d.Id!, d.Name));
                            args.Add(new StringBuilder());
                        }
                        else Assert.Null(d.Id);
                        args[d.Index].Append(d.Arguments);
                    }
                }
                if (cutShort) continue;
                Assert.Equal(whole.Content, text.ToString());
                Assert.Equal(whole.Calls.Select(c => c.Id + "|" + c.Name + "|" + c.Arguments), started.Select((s, i) => s.Id + "|" + s.Name + "|" + args[i]));
            }
    }

    [Fact]
    public void StreamHoldsBackTextThatMayStartTheOpeningMarker()
    {
        var stream = new ToolCallStream(Hermes, Id);
        Assert.Equal("Hi", stream.Push("Hi <tool").Content);
        Assert.Equal("", stream.Push("_ca").Content);
        var step = stream.Push("ll>\n{\"name\": \"f\", \"arguments\": {\"a\"");
        Assert.Equal("", step.Content); // the space before the marker belongs to no one
        Assert.Equal([new ToolCallDelta(0, "call0", "f", ""), new ToolCallDelta(0, null, null, "{\"a\"")], step.Calls);
        Assert.Equal([new ToolCallDelta(0, null, null, ": 1}")], stream.Push(": 1}}\n</tool_call>").Calls);
        Assert.True(stream.Complete().IsEmpty);
    }

    [Fact]
    public void IdsInMarkersAreKeptAndIdsInsideTheObjectReplaced()
    {
        var a = ToolCallParser.Parse(Mistral, "[TOOL_CALLS][{\"name\": \"a\", \"arguments\": {}, \"id\": \"abcdefghi\"}]", Id);
        Assert.Equal("call0", a.Calls[0].Id); // after the name: too late for a stream
        var b = ToolCallParser.Parse(CallIds, "[TOOL_CALLS]a[CALL_ID]zz9[ARGS]{}", Id);
        Assert.Equal("zz9", b.Calls[0].Id);
    }

    [Fact]
    public void MaxCallsKeepsTheFirst()
    {
        string answer = "[TOOL_CALLS][{\"name\": \"a\", \"arguments\": {}}, {\"name\": \"b\", \"arguments\": {}}]";
        Assert.Equal(["a"], ToolCallParser.Parse(Mistral, answer, Id, maxCalls: 1).Calls.Select(c => c.Name));
        var stream = new ToolCallStream(Mistral, Id, maxCalls: 1);
        var names = new[] { stream.Push(answer), stream.Complete() }.SelectMany(s => s.Calls).Where(d => d.Name != null).Select(d => d.Name);
        Assert.Equal(["a"], names);
    }

    [Fact]
    public void RequiredPrefillReachesTheNameWhereTheObjectStartsWithIt()
    {
        Assert.Equal("{\"name\": \"", Llama.Prefill(null, "x"));
        Assert.Equal("<tool_call>\n{\"name\": \"", Hermes.Prefill(null, "x"));
        Assert.Equal("<function=", FunctionTags.Prefill(null, "x"));
        var a = ToolCallParser.Parse(Llama, Llama.Prefill(null, "x") + "get_time\", \"parameters\": {}}", Id);
        Assert.Equal(["get_time|{}"], a.Calls.Select(c => c.Name + "|" + c.Arguments));
    }

    [Fact]
    public void PrefillAndEndOfANamedCallMakeAWholeCall()
    {
        foreach (var f in new[] { Hermes, Mistral, Llama, FunctionTags, CallIds })
        {
            string answer = f.Prefill("get_time", "abcdefghi") + "{}" + f.End("abcdefghi");
            var a = ToolCallParser.Parse(f, answer, Id);
            Assert.Equal(["get_time|{}"], a.Calls.Select(c => c.Name + "|" + c.Arguments));
        }
    }
}
