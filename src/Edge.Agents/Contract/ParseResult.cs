namespace Edge.Agents.Contract;

/// <summary>A parsed message, or the reason it was refused (<c>$.path: what</c>).</summary>
/// <typeparam name="T">The message type.</typeparam>
/// <param name="Value">The message when valid.</param>
/// <param name="Error">The refusal when not.</param>
public readonly record struct ParseResult<T>(T? Value, string? Error)
    where T : class
{
    /// <summary>True when the message is valid.</summary>
    public bool Ok => Value is not null;
}
