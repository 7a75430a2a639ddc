using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace ChatBridge.Http;

/// <summary>
/// A request body type. It is read from the parsed JSON object field by field rather than deserialised, so that each
/// fault gets the contract's own error, in the contract's order (a missing field before a malformed one).
/// </summary>
internal interface IJsonRequest<TSelf> where TSelf : class, IJsonRequest<TSelf>
{
    /// <summary>The most bytes the body may have (<see cref="BodyLimits"/>); more is a 413.</summary>
    static abstract int MaxBytes { get; }

    /// <summary>The request, or the 400 that names its first fault.</summary>
    static abstract ValueTask<Parsed<TSelf>> ReadAsync(RequestFields body, HttpContext http);

    /// <summary>The type OpenAPI documents the body by: the request type itself, unless its fields are open-ended.</summary>
    static virtual Type Schema => typeof(TSelf);
}

/// <summary>An argument that may carry the answer refusing the request instead of a value.</summary>
internal interface IRefusable
{
    IResult? Refusal { get; }
}

/// <summary>
/// A handler's JSON body, bound by the framework through <see cref="BindAsync"/>. A body that is too large, not a
/// JSON object, or refused by <typeparamref name="T"/> never reaches the handler: the endpoint's one body filter
/// answers with the refusal. OpenAPI documents <typeparamref name="T"/> as the request schema, the same type that reads it.
/// </summary>
internal sealed class Body<T> : IRefusable, IEndpointParameterMetadataProvider where T : class, IJsonRequest<T>
{
    private readonly T? _value;

    private Body(T? value, IResult? refusal)
    {
        _value = value;
        Refusal = refusal;
    }

    public T Value => _value ?? throw new InvalidOperationException("A refused body never reaches its handler.");

    public IResult? Refusal { get; }

    public static async ValueTask<Body<T>> BindAsync(HttpContext http)
    {
        var parsed = await JsonBody.ReadObjectAsync(http, T.MaxBytes, http.RequestAborted);
        if ((parsed.TooLarge as IResult ?? parsed.Error) is { } refused)
        {
            return new Body<T>(null, refused);
        }
        var read = await T.ReadAsync(new RequestFields(parsed.Value), http);
        return read.Error is { } invalid ? new Body<T>(null, invalid) : new Body<T>(read.Value, null);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        builder.Metadata.Add(new AcceptsMetadata(["application/json"], T.Schema));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(ErrorEnvelope), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status413PayloadTooLarge, typeof(ErrorEnvelope), ["application/json"]));
        // Added after the group's conventions: a caller the group refuses (a private host's anonymous visitor) hears
        // that first, whatever their body.
        builder.FilterFactories.Add(RefusedBodies.Filter);
    }
}

/// <summary>The one filter that answers a refused body, for every endpoint that takes a <see cref="Body{T}"/>.</summary>
internal static class RefusedBodies
{
    public static EndpointFilterDelegate Filter(EndpointFilterFactoryContext context, EndpointFilterDelegate next) =>
        invocation =>
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument is IRefusable { Refusal: { } refusal })
                {
                    return ValueTask.FromResult<object?>(refusal);
                }
            }
            return next(invocation);
        };
}
