namespace Edge.Mqtt.Protocol;

/// <summary>MQTT control packet types (MQTT 3.1.1 §2.2.1): the high nibble of the fixed header's first byte.</summary>
public enum PacketType : byte
{
    /// <summary>Reserved; a packet of this type is malformed.</summary>
    Reserved0 = 0,
    /// <summary>Client request to connect.</summary>
    Connect = 1,
    /// <summary>Connect acknowledgement.</summary>
    ConnAck = 2,
    /// <summary>Publish message.</summary>
    Publish = 3,
    /// <summary>QoS 1 publish acknowledgement.</summary>
    PubAck = 4,
    /// <summary>QoS 2 publish received (not used by this client).</summary>
    PubRec = 5,
    /// <summary>QoS 2 publish release (not used by this client).</summary>
    PubRel = 6,
    /// <summary>QoS 2 publish complete (not used by this client).</summary>
    PubComp = 7,
    /// <summary>Subscribe request.</summary>
    Subscribe = 8,
    /// <summary>Subscribe acknowledgement.</summary>
    SubAck = 9,
    /// <summary>Unsubscribe request.</summary>
    Unsubscribe = 10,
    /// <summary>Unsubscribe acknowledgement.</summary>
    UnsubAck = 11,
    /// <summary>Ping request.</summary>
    PingReq = 12,
    /// <summary>Ping response.</summary>
    PingResp = 13,
    /// <summary>Client is disconnecting.</summary>
    Disconnect = 14,
    /// <summary>Reserved; a packet of this type is malformed.</summary>
    Reserved15 = 15,
}
