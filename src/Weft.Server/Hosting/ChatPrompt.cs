// Turns chat messages into prompt tokens with the model's chat template.
using Weft.Server.Api;

namespace Weft.Server.Hosting;

internal static class ChatPrompt
{
    public static int[] Tokens(LoadedModel model, IReadOnlyList<ChatMessage> messages) => throw new NotImplementedException();
}
