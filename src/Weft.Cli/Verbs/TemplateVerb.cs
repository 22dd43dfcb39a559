// weft template MODEL --messages M.json [--template NAME_OR_FILE] [--no-generation-prompt]: the prompt a chat template renders.
using System.CommandLine;
using System.Text;
using Weft.Formats.Gguf;
using Weft.Inference.Templates;
using Weft.Models;
using Weft.Models.Loading;

namespace Weft.Cli.Verbs;

internal static class TemplateVerb
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "a GGUF model or vocabulary-only file (BOS/EOS texts and tokenizer.chat_template come from it)" };
        var messages = new Option<string>("--messages") { Description = "a JSON array of {role, content} objects (content: string or list of parts)", Required = true };
        var template = new Option<string>("--template") { Description = $"a built-in template name ({string.Join(", ", BuiltinTemplates.Names)}) or a Jinja file; default: the model's own, else chatml" };
        var noGen = new Option<bool>("--no-generation-prompt") { Description = "do not open the assistant's turn at the end" };
        var cmd = new Command("template", "Render a conversation with a chat template; prints the prompt byte-exact") { model, messages, template, noGen };
        cmd.SetAction(r =>
        {
            string messagesPath = r.GetValue(messages)!;
            if (!File.Exists(messagesPath)) throw new UsageException($"--messages: no such file '{messagesPath}'");
            var conversation = ChatMessage.ListFromJson(File.ReadAllText(messagesPath, Encoding.UTF8));
            using var file = GgufFile.Open(r.GetValue(model)!);
            var tokenizer = GgufTokenizerLoader.Load(file);
            string bos = tokenizer.Bos >= 0 && tokenizer.Bos < tokenizer.VocabSize ? tokenizer.TokenText(tokenizer.Bos) : "";
            string eos = tokenizer.Eos >= 0 && tokenizer.Eos < tokenizer.VocabSize ? tokenizer.TokenText(tokenizer.Eos) : "";
            string? own = file.TryGet(MetadataKeys.ChatTemplate, out var v) ? v.AsString(MetadataKeys.ChatTemplate) : null;
            var chosen = r.GetValue(template) is string t ? Explicit(t) : BuiltinTemplates.Choose(own);
            string prompt = chosen.Render(new ChatTemplateContext
            {
                Messages = conversation, AddGenerationPrompt = !r.GetValue(noGen), BosToken = bos, EosToken = eos,
            });
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(Encoding.UTF8.GetBytes(prompt));
            return 0;
        });
        return cmd;
    }

    private static ChatTemplate Explicit(string nameOrFile)
    {
        if (BuiltinTemplates.TryGet(nameOrFile, out var builtin)) return builtin;
        if (File.Exists(nameOrFile)) return ChatTemplate.Parse(File.ReadAllText(nameOrFile, Encoding.UTF8), Path.GetFileName(nameOrFile));
        throw new UsageException($"--template: '{nameOrFile}' is neither a built-in template ({string.Join(", ", BuiltinTemplates.Names)}) nor a file");
    }
}
