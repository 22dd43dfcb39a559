// Who won one blind battle, and its JSONL spelling ("a", "b", "tie", "both_bad").
namespace Weft.Evaluation.Arena;

/// <summary>The vote of one battle: answer A was better, answer B was, both were as good, or both were bad.</summary>
public enum ArenaWinner { A, B, Tie, BothBad }

/// <summary>The one mapping between <see cref="ArenaWinner"/> and its text.</summary>
public static class ArenaWinners
{
    /// <summary>"a", "b", "tie" or "both_bad".</summary>
    public static string ToJson(ArenaWinner w) => w switch
    {
        ArenaWinner.A => "a",
        ArenaWinner.B => "b",
        ArenaWinner.Tie => "tie",
        ArenaWinner.BothBad => "both_bad",
        _ => throw new ArgumentOutOfRangeException(nameof(w), w, "not an arena winner"),
    };

    /// <summary>Reads <see cref="ToJson"/>'s spellings, and Chatbot Arena's dumps ("model_a", "model_b", "tie",
    /// "tie (bothbad)"), ignoring case. False for anything else, null included.</summary>
    public static bool TryParse(string? s, out ArenaWinner w)
    {
        switch (s?.Trim().ToLowerInvariant())
        {
            case "a" or "model_a": w = ArenaWinner.A; return true;
            case "b" or "model_b": w = ArenaWinner.B; return true;
            case "tie": w = ArenaWinner.Tie; return true;
            case "both_bad" or "tie (bothbad)": w = ArenaWinner.BothBad; return true;
            default: w = default; return false;
        }
    }

    /// <summary>A tie or both_bad: half a win each way in the fit.</summary>
    public static bool IsTie(this ArenaWinner w) => w is ArenaWinner.Tie or ArenaWinner.BothBad;
}
