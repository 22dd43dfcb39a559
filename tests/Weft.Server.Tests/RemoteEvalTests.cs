// `weft eval openai:URL#model` against `weft serve`: the remote back end (echo log-probabilities over HTTP) gives the
// log-likelihoods and greedy flags the in-process back end gives on the same file.
using Weft.Evaluation.Models;

namespace Weft.Server.Tests;

public class RemoteEvalTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public void Remote_scores_equal_local_scores()
    {
        var requests = new List<LoglikelihoodRequest>
        {
            new("Question: How do you keep bread fresh?\nAnswer:", " Wrap it in a cloth."),
            new("Question: How do you keep bread fresh?\nAnswer:", " Leave it in the rain."),
            new("The capital of France is", " Paris"),
            new("In the beginning God created", " the heaven and the earth."),
        };
        using var remote = new OpenAiEvalModel(new Uri(fixture.Server.BaseAddress, "v1"), "chat", fixture.Server.Options.ApiKey);
        using var local = new LocalEvalModel(Path.Combine(fixture.Server.ModelsFolder, "chat.gguf"), threads: 1);
        var r = remote.Loglikelihood(requests);
        var l = local.Loglikelihood(requests);
        for (int i = 0; i < requests.Count; i++)
        {
            Assert.True(Math.Abs(r[i].LogLikelihood - l[i].LogLikelihood) < 1e-3 * Math.Max(1, l[i].Tokens),
                $"request {i}: remote {r[i].LogLikelihood}, local {l[i].LogLikelihood}");
            Assert.Equal(l[i].Tokens, r[i].Tokens);
            Assert.Equal(l[i].IsGreedy, r[i].IsGreedy);
        }
        var text = "And God said, Let there be light: and there was light.";
        var rr = remote.LoglikelihoodRolling([text])[0];
        var lr = local.LoglikelihoodRolling([text])[0];
        Assert.Equal(lr.Tokens, rr.Tokens);
        Assert.True(Math.Abs(rr.LogLikelihood - lr.LogLikelihood) < 1e-3 * lr.Tokens, $"rolling: remote {rr.LogLikelihood}, local {lr.LogLikelihood}");
    }
}
