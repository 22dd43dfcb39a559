// A request the API refuses, carried to the error writer as OpenAI's error object.
namespace Weft.Server.Api;

public sealed class ApiException(int status, string message, string type = "invalid_request_error", string? param = null, string? code = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;
    /// <summary>Seconds a client should wait before retrying (429 and 503).</summary>
    public int? RetryAfter { get; init; }

    public static ApiException BadRequest(string message, string? param = null, string? code = null) => new(400, message, param: param, code: code);
    public static ApiException NotFound(string message, string? param = null) => new(404, message, param: param, code: "model_not_found");
}
