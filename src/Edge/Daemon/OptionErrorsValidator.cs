using Edge.Configuration;
using Edge.Core;
using Microsoft.Extensions.Options;

namespace Edge.Daemon;

/// <summary>
/// Adapts an options class's own <c>Validate()</c> (which names each bad option with its value and allowed range) to
/// the generic host's <see cref="IValidateOptions{TOptions}"/>, so <c>ValidateOnStart</c> stops the daemon before any
/// device is touched.
/// </summary>
/// <typeparam name="T">The options class.</typeparam>
public sealed class OptionErrorsValidator<T>(Func<T, IReadOnlyList<OptionError>> validate) : IValidateOptions<T>
    where T : class
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, T options)
    {
        IReadOnlyList<OptionError> errors = validate(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(ConfigFile.Describe));
    }
}
