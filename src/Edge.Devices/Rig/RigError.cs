namespace Edge.Devices.Rig;

/// <summary>
/// One fault in a rig file: the JSON path, the value found and what would be accepted, e.g.
/// <c>$.inverters[0].unitId = 300: must be an integer from 1 to 247 (Modbus unit id …)</c>.
/// </summary>
/// <param name="Path">JSONPath of the offending value.</param>
/// <param name="Message">What is wrong and what would be accepted (the fix).</param>
/// <param name="Value">The offending value as written (JSON text, shortened), or null when there is none (a missing key).</param>
public sealed record RigError(string Path, string Message, string? Value = null)
{
    /// <inheritdoc />
    public override string ToString() => Value is null ? $"{Path}: {Message}" : $"{Path} = {Value}: {Message}";
}

/// <summary>A rig file was rejected. <see cref="Exception.Message"/> lists every fault with its JSON path.</summary>
public sealed class RigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RigException()
        : this("inline", [])
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RigException(string message)
        : base(message)
    {
        Source = "inline";
        Errors = [];
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public RigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Creates the exception for the rig at <paramref name="source"/>.</summary>
    public RigException(string source, IReadOnlyList<RigError> errors)
        : base(Format(source, errors))
    {
        Source = source;
        Errors = errors;
    }

    /// <summary>Every fault found.</summary>
    public IReadOnlyList<RigError> Errors { get; }

    private static string Format(string source, IReadOnlyList<RigError> errors) =>
        errors.Count == 1
            ? $"Rig {source} is invalid: {errors[0]}"
            : $"Rig {source} has {errors.Count} errors:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors);
}
