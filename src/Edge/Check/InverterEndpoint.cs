using System.Globalization;

namespace Edge.Check;

/// <summary>Where one SunSpec inverter answers: <c>HOST:PORT</c> with an optional <c>/UNIT</c>.</summary>
/// <param name="Id">Name in the check table.</param>
/// <param name="Host">Host name or address.</param>
/// <param name="Port">TCP port.</param>
/// <param name="UnitId">Modbus unit id.</param>
public sealed record InverterEndpoint(string Id, string Host, int Port, byte UnitId)
{
    /// <summary>
    /// Parses <c>HOST:PORT[/UNIT]</c>. Throws <see cref="FormatException"/> naming what is wrong.
    /// </summary>
    public static InverterEndpoint Parse(string text)
    {
        string rest = text.Trim();
        byte unit = 1;
        int slash = rest.LastIndexOf('/');
        if (slash >= 0)
        {
            if (!byte.TryParse(rest[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out unit))
            {
                throw new FormatException($"'{text}': the unit id after '/' must be 0–255");
            }

            rest = rest[..slash];
        }

        int colon = rest.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new FormatException($"'{text}' is not HOST:PORT[/UNIT] with a port 1–65535");
        }

        return new InverterEndpoint(rest, rest[..colon], port, unit);
    }
}
