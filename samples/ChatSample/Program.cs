// Chat with a local model through Microsoft.Extensions.AI's IChatClient: `dotnet run -- MODEL.gguf [PROMPT] [MAX_TOKENS]`.
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Weft.Extensions.AI;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: ChatSample MODEL.gguf|CHECKPOINT_DIR [PROMPT] [MAX_TOKENS]");
    return 2;
}
string prompt = args.Length > 1 ? args[1] : "Who made the heaven and the earth?";
int maxTokens = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 16;

var services = new ServiceCollection();
services.AddWeftChatClient(args[0], options => options.Threads = 2);
await using var provider = services.BuildServiceProvider();
var chat = provider.GetRequiredService<IChatClient>();

List<ChatMessage> history = [new(ChatRole.System, "You answer in the words of the King James Bible."), new(ChatRole.User, prompt)];
var settings = new ChatOptions { MaxOutputTokens = maxTokens, Temperature = 0 };
var answer = new System.Text.StringBuilder();
await foreach (var update in chat.GetStreamingResponseAsync(history, settings))
{
    Console.Write(update.Text);
    answer.Append(update.Text);
}
Console.WriteLine();
history.Add(new ChatMessage(ChatRole.Assistant, answer.ToString()));
return answer.Length > 0 ? 0 : 1;
