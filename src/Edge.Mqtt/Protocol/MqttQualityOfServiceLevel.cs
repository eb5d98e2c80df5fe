namespace Edge.Mqtt.Protocol;

/// <summary>Delivery guarantee of a message (MQTT 3.1.1 §4.3). Named as in MQTTnet so a swap is a rename-free change.</summary>
public enum MqttQualityOfServiceLevel : byte
{
    /// <summary>QoS 0: fire and forget.</summary>
    AtMostOnce = 0,
    /// <summary>QoS 1: acknowledged by PUBACK, retransmitted (DUP) until then; duplicates possible.</summary>
    AtLeastOnce = 1,
    /// <summary>QoS 2: not supported by this client (publishing at it is refused; subscriptions are downgraded).</summary>
    ExactlyOnce = 2,
}
