// Turns chat messages into prompt ids with the model's chat template; a template that refuses the conversation is a 400.
using Weft.Inference.Templates;
using Weft.Server.Api;

namespace Weft.Server.Hosting;

internal static class ChatPrompt
{
    public static int[] Tokens(LoadedModel model, IReadOnlyList<ChatMessage> messages)
    {
        try
        {
            return model.Formatter.Tokens(messages);
        }
        catch (TemplateException e)
        {
            throw ApiException.BadRequest($"the chat template of '{model.Entry.Id}' refused the conversation: {e.Message}", "messages", "template_error");
        }
    }
}
