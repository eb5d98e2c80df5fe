using System.Globalization;

namespace Edge.Mqtt.Client;

/// <summary>
/// One broker address: host name or address and TCP port. Written <c>host:port</c>, <c>[IPv6]:port</c>, or a bare
/// host (then the default port applies), as in <c>Mqtt:FailoverServers</c>.
/// </summary>
/// <param name="Host">Host name or address (an IPv6 address without brackets).</param>
/// <param name="Port">TCP port, 1–65535.</param>
public readonly record struct MqttServer(string Host, int Port)
{
    /// <summary>
    /// Parses <paramref name="text"/>; a missing port is <paramref name="defaultPort"/>. Returns null and says why in
    /// <paramref name="error"/> when the text is not one broker address.
    /// </summary>
    public static MqttServer? TryParse(string? text, int defaultPort, out string? error)
    {
        error = null;
        string s = (text ?? "").Trim();
        if (s.Length == 0)
        {
            error = "must be host, host:port or [IPv6]:port";
            return null;
        }

        if (s.Contains("://", StringComparison.Ordinal))
        {
            error = "write host:port, without a scheme (mqtt://, tcp://)";
            return null;
        }

        string host;
        string? port = null;
        if (s[0] == '[')
        {
            int close = s.IndexOf(']', StringComparison.Ordinal);
            if (close < 2 || (close + 1 < s.Length && s[close + 1] != ':'))
            {
                error = "an IPv6 address is written [address]:port";
                return null;
            }

            host = s[1..close];
            port = close + 1 < s.Length ? s[(close + 2)..] : null;
        }
        else
        {
            int colon = s.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && s.IndexOf(':', colon + 1) >= 0)
            {
                error = "an IPv6 address is written [address]:port";
                return null;
            }

            host = colon >= 0 ? s[..colon] : s;
            port = colon >= 0 ? s[(colon + 1)..] : null;
        }

        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c is '/' or '#' or '?' or '@'))
        {
            error = "must name a host (no scheme, path, user or spaces)";
            return null;
        }

        int p = defaultPort;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out p) || p is < 1 or > 65_535))
        {
            error = "the port must be 1–65535";
            return null;
        }

        return new MqttServer(host, p);
    }

    /// <summary><c>host:port</c>, with brackets around an IPv6 address.</summary>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal)
        ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
