// Reads a model's answer under a template's tool-call format: text before the calls, then one or several calls. Partial
// mode reads an answer still being generated and keeps back what might yet turn into a marker or a call.
namespace Weft.Inference.Tools;

/// <summary>A call as far as the text goes: the name once it is whole, the arguments' text so far.</summary>
internal sealed record PartialCall(string? Name, string Arguments, string? Id, bool Complete);

internal sealed record ParseState(string Content, List<PartialCall> Calls);

public static class ToolCallParser
{
    /// <summary>Splits a whole answer; an answer whose call is malformed is all content. Ids come from the model when the
    /// format carries them, else from <paramref name="newId"/> (by call index).</summary>
    public static ToolAnswer Parse(ToolCallFormat format, string text, Func<int, string> newId, int maxCalls = int.MaxValue)
    {
        var state = Read(format, text, partial: false);
        var calls = state.Calls.Take(maxCalls).Select((c, i) => new ToolCall(c.Id ?? newId(i), c.Name!, c.Arguments)).ToList();
        return new ToolAnswer(state.Content, calls);
    }

    internal static ParseState Read(ToolCallFormat format, string text, bool partial)
    {
        var calls = new List<PartialCall>();
        ParseState Plain(int from) => new(text[from..], []);
        ParseState Held(int from, int to) => new(text[from..Math.Max(from, to)], calls);

        int start = 0;
        string prefix = format.ContentPrefix;
        if (prefix.Trim().Length > 0)
        {
            if (text.StartsWith(prefix, StringComparison.Ordinal)) return Plain(prefix.Length);
            if (partial && prefix.StartsWith(text, StringComparison.Ordinal)) return Held(0, 0);
        }

        string opening = format.Opening.Trim();
        int pos;
        string content;
        string? markerId = null;
        if (opening.Length > 0)
        {
            // the fixed text before any id placeholder finds the call; the whole marker must then match
            int placeholder = opening.IndexOf(ToolCallFormat.IdPlaceholder, StringComparison.Ordinal);
            string fixedPart = placeholder > 0 ? opening[..placeholder] : opening;
            int at = text.IndexOf(fixedPart, start, StringComparison.Ordinal);
            if (at < 0)
            {
                if (!partial) return Plain(start);
                int overlap = PrefixOverlap(text, fixedPart);
                return Held(start, text.Length - overlap - TrailingWhitespace(text[..^overlap], start));
            }
            content = text[start..at].TrimEnd();
            var open = Marker(text, at, opening);
            if (open.Status == ScanStatus.Incomplete) return partial ? new ParseState(content, calls) : Plain(start);
            if (open.Status == ScanStatus.Invalid) return Plain(start);
            pos = open.End;
            markerId = open.Id;
        }
        else
        {
            pos = JsonScan.SkipWhitespace(text, start);
            if (pos == text.Length) return partial ? Held(start, start) : Plain(start);
            bool looksLikeCall = format.Layout == ToolCallLayout.JsonObject ? text[pos] == '{' : IsNameChar(text[pos]);
            if (!looksLikeCall) return Plain(start);
            content = "";
        }

        while (true)
        {
            pos = JsonScan.SkipWhitespace(text, pos);
            var (status, call, end) = Body(format, text, pos);
            if (call != null && call.Id == null && markerId != null) call = call with { Id = markerId };
            if (status != ScanStatus.Complete)
            {
                if (status == ScanStatus.Incomplete && partial)
                {
                    if (call != null) calls.Add(call);
                    return new ParseState(content, calls);
                }
                return calls.Count == 0 ? Plain(start) : new ParseState(content, calls);
            }
            calls.Add(call!);
            pos = JsonScan.SkipWhitespace(text, end);
            if (pos == text.Length) return new ParseState(content, calls);
            var between = Marker(text, pos, format.Between?.Trim());
            if (between.Status == ScanStatus.Complete) { pos = between.End; markerId = between.Id; continue; }
            var closing = Marker(text, pos, format.Closing.Trim());
            if (closing.Status == ScanStatus.Complete)
            {
                // another call may open after the closing marker
                var next = Marker(text, JsonScan.SkipWhitespace(text, closing.End), opening);
                if (opening.Length > 0 && next.Status == ScanStatus.Complete) { pos = next.End; markerId = next.Id; continue; }
                return new ParseState(content, calls);
            }
            // the rest (text after the calls) is not part of the answer
            return new ParseState(content, calls);
        }
    }

    /// <summary>One call at <paramref name="pos"/>: complete, cut short (with what is known so far), or invalid.</summary>
    private static (ScanStatus, PartialCall?, int) Body(ToolCallFormat format, string text, int pos)
    {
        if (pos >= text.Length) return (ScanStatus.Incomplete, null, pos);
        if (format.Layout == ToolCallLayout.JsonObject)
        {
            var members = new List<JsonScan.Member>();
            var status = JsonScan.Object(text, pos, members, out int end);
            if (status == ScanStatus.Invalid) return (status, null, pos);
            // an id inside the object (Mistral's) comes after the name, too late for a streamed call's first delta: ours is used
            string? name = null;
            JsonScan.Member? args = null;
            foreach (var m in members)
            {
                if (m.Key == format.NameKey || (format.Fallback && m.Key == "name"))
                {
                    if (!m.Complete) continue;
                    if (text[m.ValueStart] != '"') return (ScanStatus.Invalid, null, pos);
                    name = JsonScan.Unquote(text[m.ValueStart..m.ValueEnd]);
                }
                // models trained on one key sometimes write the other
                else if (m.Key == format.ArgumentsKey || m.Key is "arguments" or "parameters") args = m;
            }
            string arguments = args is not { } a ? ""
                : text[a.ValueStart] == '"' ? (a.Complete ? JsonScan.Unquote(text[a.ValueStart..a.ValueEnd]) : "")
                : text[a.ValueStart..a.ValueEnd];
            if (status == ScanStatus.Incomplete)
                return (status, name == null ? null : new PartialCall(name, arguments, null, false), pos);
            if (name == null || name.Length == 0) return (ScanStatus.Invalid, null, pos);
            return (status, new PartialCall(name, args == null ? "{}" : arguments, null, true), end);
        }

        int nameEnd = pos;
        while (nameEnd < text.Length && IsNameChar(text[nameEnd])) nameEnd++;
        if (nameEnd == text.Length) return (ScanStatus.Incomplete, null, pos);
        if (nameEnd == pos) return (ScanStatus.Invalid, null, pos);
        string callName = text[pos..nameEnd];
        var sep = Marker(text, nameEnd, format.NameSeparator);
        if (sep.Status != ScanStatus.Complete) return (sep.Status, null, pos);
        string? sepId = sep.Id;
        int argsAt = JsonScan.SkipWhitespace(text, sep.End);
        if (argsAt == text.Length) return (ScanStatus.Incomplete, new PartialCall(callName, "", sepId, false), pos);
        if (text[argsAt] != '{') return (ScanStatus.Invalid, null, pos);
        var vs = JsonScan.Value(text, argsAt, out int argsEnd);
        return vs switch
        {
            ScanStatus.Complete => (vs, new PartialCall(callName, text[argsAt..argsEnd], sepId, true), argsEnd),
            ScanStatus.Incomplete => (vs, new PartialCall(callName, text[argsAt..], sepId, false), pos),
            _ => (vs, null, pos),
        };
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';

    /// <summary>Matches a marker at <paramref name="pos"/>; whitespace in the marker matches any run of whitespace
    /// (models write "\n\n" where the template wrote "\n"), and an id placeholder a run of id characters, returned.
    /// An empty or null marker never matches.</summary>
    private static (ScanStatus Status, int End, string? Id) Marker(string text, int pos, string? marker)
    {
        if (string.IsNullOrEmpty(marker)) return (ScanStatus.Invalid, pos, null);
        int i = pos, j = 0;
        string? id = null;
        while (j < marker.Length)
        {
            if (char.IsWhiteSpace(marker[j]))
            {
                while (j < marker.Length && char.IsWhiteSpace(marker[j])) j++;
                i = JsonScan.SkipWhitespace(text, i);
                continue;
            }
            if (string.CompareOrdinal(marker, j, ToolCallFormat.IdPlaceholder, 0, ToolCallFormat.IdPlaceholder.Length) == 0)
            {
                int idStart = i;
                while (i < text.Length && IsNameChar(text[i]) && text[i] != '.') i++;
                if (i >= text.Length) return (ScanStatus.Incomplete, i, null);
                if (i == idStart) return (ScanStatus.Invalid, pos, null);
                id = text[idStart..i];
                j += ToolCallFormat.IdPlaceholder.Length;
                continue;
            }
            if (i >= text.Length) return (ScanStatus.Incomplete, i, null);
            if (text[i] != marker[j]) return (ScanStatus.Invalid, pos, null);
            i++;
            j++;
        }
        return (ScanStatus.Complete, i, id);
    }

    /// <summary>The length of the longest end of <paramref name="text"/> that begins <paramref name="marker"/>.</summary>
    private static int PrefixOverlap(string text, string marker)
    {
        for (int n = Math.Min(marker.Length - 1, text.Length); n > 0; n--)
            if (text.AsSpan(text.Length - n).SequenceEqual(marker.AsSpan(0, n))) return n;
        return 0;
    }

    private static int TrailingWhitespace(string text, int start)
    {
        int n = 0;
        while (text.Length - n > start && char.IsWhiteSpace(text[text.Length - n - 1])) n++;
        return n;
    }
}
