namespace Edge.Mqtt.Protocol;

/// <summary>Outcome of decoding bytes received from the network.</summary>
public enum DecodeStatus : byte
{
    /// <summary>A complete, valid item was decoded.</summary>
    Complete,
    /// <summary>The bytes so far are a valid prefix; read more.</summary>
    NeedMoreData,
    /// <summary>The bytes can never form a valid item: the connection must be closed (the reason says why).</summary>
    Malformed,
}
