using System.Security.Authentication;

namespace Edge.Mqtt.Client;

/// <summary>TLS settings (configuration section <c>Mqtt:Tls</c>). Files are PEM.</summary>
public sealed class MqttClientTlsOptions
{
    /// <summary>Use TLS.</summary>
    public bool UseTls { get; set; }

    /// <summary>CA certificate(s) that must sign the broker's certificate (PEM). Null: the system trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>Client certificate (PEM), for brokers that require one.</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>Private key of the client certificate (PEM; PKCS#8 or PKCS#1).</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>Name expected in the broker's certificate (default: the host name connected to).</summary>
    public string? TargetHost { get; set; }

    /// <summary>Accepted TLS versions (default: what the OS considers secure).</summary>
    public SslProtocols SslProtocols { get; set; } = SslProtocols.None;

    /// <summary>
    /// Skip the host-name check (the chain must still lead to <see cref="CaFile"/>). For test rigs with IP-only
    /// certificates; never for production.
    /// </summary>
    public bool AllowNameMismatch { get; set; }
}
