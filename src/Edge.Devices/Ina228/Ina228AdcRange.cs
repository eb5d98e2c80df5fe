namespace Edge.Devices.Ina228;

/// <summary>INA228 shunt input range (CONFIG ADCRANGE, bit 4).</summary>
public enum Ina228AdcRange : byte
{
    /// <summary>Pick the finer range when the shunt voltage at maximum current fits ±40.96 mV, else ±163.84 mV.</summary>
    Auto = 0,

    /// <summary>ADCRANGE = 0: ±163.84 mV, 312.5 nV/LSB.</summary>
    Range163mV = 1,

    /// <summary>ADCRANGE = 1: ±40.96 mV, 78.125 nV/LSB (SHUNT_CAL × 4).</summary>
    Range41mV = 2,
}
