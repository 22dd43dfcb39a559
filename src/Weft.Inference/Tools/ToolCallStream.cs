// The incremental side of ToolCallParser: fed a streamed answer piece by piece, it yields text that is safe to show and
// OpenAI-shaped call deltas (id and name once, then arguments in pieces). Re-reads the answer so far at each piece:
// answers with calls are short, and this keeps the streamed pieces equal to what the whole answer parses to.
using System.Text;

namespace Weft.Inference.Tools;

public sealed class ToolCallStream(ToolCallFormat format, Func<int, string> newId, int maxCalls = int.MaxValue)
{
    private readonly StringBuilder _text = new();
    private int _content;
    private readonly List<(string Id, int Arguments)> _calls = [];

    /// <summary>Calls started so far.</summary>
    public int CallCount => _calls.Count;

    public ToolStreamStep Push(string piece)
    {
        _text.Append(piece);
        return Step(ToolCallParser.Read(format, _text.ToString(), partial: true));
    }

    /// <summary>The end of the answer: whatever was held back.</summary>
    public ToolStreamStep Complete() => Step(ToolCallParser.Read(format, _text.ToString(), partial: false));

    private ToolStreamStep Step(ParseState state)
    {
        string content = "";
        // once a call has started, content is final (it stops at the opening marker)
        if (state.Content.Length > _content && _calls.Count == 0)
        {
            content = state.Content[_content..];
            _content = state.Content.Length;
        }
        var deltas = new List<ToolCallDelta>();
        for (int i = 0; i < state.Calls.Count && i < maxCalls; i++)
        {
            var call = state.Calls[i];
            if (call.Name == null) break;
            if (i == _calls.Count)
            {
                string id = call.Id ?? newId(i);
                _calls.Add((id, 0));
                deltas.Add(new ToolCallDelta(i, id, call.Name, ""));
            }
            var (callId, sent) = _calls[i];
            if (call.Arguments.Length > sent)
            {
                deltas.Add(new ToolCallDelta(i, null, null, call.Arguments[sent..]));
                _calls[i] = (callId, call.Arguments.Length);
            }
        }
        return content.Length == 0 && deltas.Count == 0 ? ToolStreamStep.Empty : new ToolStreamStep(content, deltas);
    }
}
