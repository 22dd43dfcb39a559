// With --api-key, every /v1 call needs "Authorization: Bearer KEY"; compared in constant time.
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Weft.Server.Api;

internal sealed class ApiKeyCheck(string key) : IEndpointFilter
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes("Bearer " + key);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        Verify(context.HttpContext, _expected);
        return next(context);
    }

    /// <summary>The same check for requests answered before routing (the gateway's).</summary>
    public static void Verify(HttpContext http, string key) => Verify(http, Encoding.UTF8.GetBytes("Bearer " + key));

    private static void Verify(HttpContext http, byte[] expected)
    {
        string given = http.Request.Headers.Authorization.ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected))
            throw new ApiException(401, given.Length == 0
                ? "this server needs an API key: send 'Authorization: Bearer KEY'"
                : "the API key is not valid", code: "invalid_api_key");
    }
}
