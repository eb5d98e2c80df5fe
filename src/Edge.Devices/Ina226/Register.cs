namespace Edge.Devices.Ina226;

/// <summary>
/// INA226 register map (TI SBOS547, Table 7-1 "Register Set Summary"). All registers are 16 bits, big-endian.
/// </summary>
public enum Register : byte
{
    /// <summary>00h Configuration (R/W, POR 4127h): RST 15, AVG 11:9, VBUSCT 8:6, VSHCT 5:3, MODE 2:0.</summary>
    Configuration = 0x00,

    /// <summary>01h Shunt voltage (R): two's complement, LSB 2.5 µV, full scale ±81.92 mV.</summary>
    ShuntVoltage = 0x01,

    /// <summary>02h Bus voltage (R): 15-bit unsigned (bit 15 always 0), LSB 1.25 mV (36 V measurable, 40.96 V full scale).</summary>
    BusVoltage = 0x02,

    /// <summary>03h Power (R): unsigned, LSB = 25 × Current_LSB; = Current × BusVoltage / 20000 (equation 4).</summary>
    Power = 0x03,

    /// <summary>04h Current (R): two's complement, LSB = Current_LSB; = ShuntVoltage × Calibration / 2048 (equation 3).</summary>
    Current = 0x04,

    /// <summary>05h Calibration (R/W, POR 0): bits 14:0 (bit 15 reserved) = 0.00512 / (Current_LSB × R_SHUNT) (equation 1).</summary>
    Calibration = 0x05,

    /// <summary>06h Mask/Enable (R/W): SOL 15, SUL 14, BOL 13, BUL 12, POL 11, CNVR 10, AFF 4, CVRF 3, OVF 2, APOL 1, LEN 0.</summary>
    MaskEnable = 0x06,

    /// <summary>07h Alert limit (R/W).</summary>
    AlertLimit = 0x07,

    /// <summary>FEh Manufacturer ID (R): 5449h ("TI").</summary>
    ManufacturerId = 0xFE,

    /// <summary>FFh Die ID (R): 2260h — DID 15:4 = 226h, RID 3:0 = 0.</summary>
    DieId = 0xFF,
}
