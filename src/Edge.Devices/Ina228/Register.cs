namespace Edge.Devices.Ina228;

/// <summary>
/// INA228 register map (TI SLYS021, Table 7-3 "INA228 Registers"). Big-endian; sizes in bits as noted.
/// </summary>
public enum Register : byte
{
    /// <summary>0h CONFIG, 16 (reset 0h): RST 15, RSTACC 14, CONVDLY 13:6, TEMPCOMP 5, ADCRANGE 4.</summary>
    Config = 0x00,

    /// <summary>1h ADC_CONFIG, 16 (reset FB68h): MODE 15:12, VBUSCT 11:9, VSHCT 8:6, VTCT 5:3, AVG 2:0.</summary>
    AdcConfig = 0x01,

    /// <summary>2h SHUNT_CAL, 16 (reset 1000h): bits 14:0 = 13107.2e6 × CURRENT_LSB × R_SHUNT (× 4 when ADCRANGE = 1).</summary>
    ShuntCal = 0x02,

    /// <summary>3h SHUNT_TEMPCO, 16: shunt temperature coefficient, ppm/°C (bits 13:0).</summary>
    ShuntTempco = 0x03,

    /// <summary>4h VSHUNT, 24: bits 23:4 two's complement; 312.5 nV/LSB (ADCRANGE 0) or 78.125 nV/LSB (ADCRANGE 1).</summary>
    VShunt = 0x04,

    /// <summary>5h VBUS, 24: bits 23:4 (positive); 195.3125 µV/LSB; 0–85 V.</summary>
    VBus = 0x05,

    /// <summary>6h DIETEMP, 16: two's complement, 7.8125 m°C/LSB.</summary>
    DieTemp = 0x06,

    /// <summary>7h CURRENT, 24: bits 23:4 two's complement; CURRENT_LSB A/LSB.</summary>
    Current = 0x07,

    /// <summary>8h POWER, 24: unsigned; 3.2 × CURRENT_LSB W/LSB.</summary>
    Power = 0x08,

    /// <summary>9h ENERGY, 40: unsigned; 16 × 3.2 × CURRENT_LSB J/LSB.</summary>
    Energy = 0x09,

    /// <summary>Ah CHARGE, 40: two's complement; CURRENT_LSB C/LSB.</summary>
    Charge = 0x0A,

    /// <summary>Bh DIAG_ALRT, 16 (reset 0001h): ALATCH 15, CNVR 14, SLOWALERT 13, APOL 12, ENERGYOF 11, CHARGEOF 10,
    /// MATHOF 9, TMPOL 7, SHNTOL 6, SHNTUL 5, BUSOL 4, BUSUL 3, POL 2, CNVRF 1, MEMSTAT 0.</summary>
    DiagAlrt = 0x0B,

    /// <summary>Ch SOVL shunt overvoltage threshold.</summary>
    Sovl = 0x0C,

    /// <summary>Dh SUVL shunt undervoltage threshold.</summary>
    Suvl = 0x0D,

    /// <summary>Eh BOVL bus overvoltage threshold.</summary>
    Bovl = 0x0E,

    /// <summary>Fh BUVL bus undervoltage threshold.</summary>
    Buvl = 0x0F,

    /// <summary>10h TEMP_LIMIT.</summary>
    TempLimit = 0x10,

    /// <summary>11h PWR_LIMIT.</summary>
    PwrLimit = 0x11,

    /// <summary>3Eh MANUFACTURER_ID: 5449h ("TI").</summary>
    ManufacturerId = 0x3E,

    /// <summary>3Fh DEVICE_ID: DIEID 15:4 = 228h, REV_ID 3:0 (2281h seen on production parts).</summary>
    DeviceId = 0x3F,
}
