using System.Globalization;

namespace Edge.Core;

/// <summary>
/// One invalid option: its full configuration path (e.g. <c>Controller:RampUpWPerS</c>), the offending value as text,
/// and the allowed range in words. <see cref="ToString"/> gives the sentence shown to the user.
/// </summary>
/// <param name="Path">Full configuration path of the option.</param>
/// <param name="Value">The offending value, formatted invariantly.</param>
/// <param name="Allowed">What would have been accepted.</param>
public sealed record OptionError(string Path, string Value, string Allowed)
{
    /// <summary>The longest value text <see cref="Shorten"/> leaves as it is.</summary>
    public const int ShortenedMaxLength = 60;

    /// <summary>
    /// A value's text cut to at most <see cref="ShortenedMaxLength"/> characters, ending in '…' when cut (a hostile
    /// file's 70 000-character string is not echoed whole).
    /// </summary>
    public static string Shorten(string text) => text.Length <= ShortenedMaxLength ? text : text[..(ShortenedMaxLength - 3)] + "…";

    /// <summary>Formats a number the way configuration files write it.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string ToString() => $"{Path} = {Value} is invalid: {Allowed}.";
}
