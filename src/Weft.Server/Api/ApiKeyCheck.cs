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
        string given = context.HttpContext.Request.Headers.Authorization.ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _expected))
            throw new ApiException(401, given.Length == 0
                ? "this server needs an API key: send 'Authorization: Bearer KEY'"
                : "the API key is not valid", code: "invalid_api_key");
        return next(context);
    }
}
