// Turns chat messages into prompt ids with the model's chat template; a template that refuses the conversation is a 400.
using Weft.Inference.Templates;
using Weft.Inference.Tools;
using Weft.Server.Api;

namespace Weft.Server.Hosting;

internal static class ChatPrompt
{
    /// <param name="tools">the request's tool calling: tools rendered, the forced call's prefill after the generation prompt</param>
    public static int[] Tokens(LoadedModel model, IReadOnlyList<ChatMessage> messages, ToolPlan? tools = null)
    {
        try
        {
            // calls and results in the history are written the way the template reads them
            bool history = messages.Any(m => m.Role == "tool" || m.Fields.Get("tool_calls") is ListValue);
            var format = tools?.Format ?? (history ? model.Formatter.Tools.Format : null);
            return model.Formatter.Tokens(ToolConversation.Adapt(messages, format), true, tools?.Variables, tools?.Prefill ?? "");
        }
        catch (TemplateException e)
        {
            throw ApiException.BadRequest($"the chat template of '{model.Entry.Id}' refused the conversation: {e.Message}", "messages", "template_error");
        }
    }
}
