namespace Edge.Mqtt.Sparkplug;

/// <summary>Sparkplug B metric data types used here (values from the sparkplug_b.proto data type table).</summary>
public enum SparkplugDataType : uint
{
    /// <summary>Signed 64-bit integer (long_value).</summary>
    Int64 = 4,
    /// <summary>Unsigned 32-bit integer (int_value).</summary>
    UInt32 = 7,
    /// <summary>Unsigned 64-bit integer (long_value).</summary>
    UInt64 = 8,
    /// <summary>Double (double_value).</summary>
    Double = 10,
    /// <summary>Boolean (boolean_value).</summary>
    Boolean = 11,
    /// <summary>String (string_value).</summary>
    String = 12,
}
