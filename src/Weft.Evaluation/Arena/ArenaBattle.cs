// One blind battle: two models answered the same prompt and a person voted.
namespace Weft.Evaluation.Arena;

/// <summary>One vote. <paramref name="StyleA"/>/<paramref name="StyleB"/> are the answers' style features, null when
/// not recorded (such a battle is left out under style control).</summary>
public sealed record ArenaBattle(string Id, string ModelA, string ModelB, ArenaWinner Winner, string Prompt,
    AnswerStyle? StyleA, AnswerStyle? StyleB, DateTimeOffset Time);
