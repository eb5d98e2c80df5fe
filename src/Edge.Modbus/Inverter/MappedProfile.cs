using Edge.Modbus.Client;
using Edge.Modbus.Registers;

namespace Edge.Modbus.Inverter;

/// <summary>
/// A battery inverter whose registers are described by an <see cref="InverterMap"/> (a vendor map as data). Reads the
/// points in one transaction when they fit in 125 registers, else one per point; writes the setpoint in one FC 16.
/// Configuration writes, in order: ramp, revert timeout, revert setpoint 0 W, revert enable, the setpoint at the
/// measured power, then enable (bumpless).
/// </summary>
public sealed class MappedProfile : IInverterProfile
{
    private readonly InverterMap _map;
    private readonly RegisterPoint[] _reads;
    private readonly ushort _first;
    private readonly int _span;
    private readonly ushort[] _registers;
    private readonly ushort[] _frame = new ushort[4];
    private readonly ushort[] _one = new ushort[1];

    /// <summary>Creates the profile for <paramref name="map"/>.</summary>
    public MappedProfile(InverterMap map)
    {
        _map = map ?? throw new ArgumentNullException(nameof(map));
        var reads = new List<RegisterPoint> { map.Power };
        foreach (RegisterPoint? p in new[] { map.Soc, map.AllowedCharge, map.AllowedDischarge, map.Capacity, map.Rated, map.Fault?.Point })
        {
            if (p is not null)
            {
                reads.Add(p);
            }
        }

        if (map.DeviceHeartbeat is ushort hb)
        {
            reads.Add(new RegisterPoint(hb, RegisterType.UInt16, 1, WordOrder.HighWordFirst));
        }

        _reads = [.. reads];
        _first = _reads.Min(p => p.Address);
        _span = _reads.Max(p => p.Address + p.Size) - _first;
        _registers = new ushort[_span <= 125 ? _span : _reads.Max(p => p.Size)];
        PowerPoint = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"power (register {map.Power.Address})");
    }

    /// <summary>The map in use.</summary>
    public InverterMap Map => _map;

    /// <inheritdoc />
    public string Description => _map.Name;

    /// <inheritdoc />
    public string PowerPoint { get; }

    /// <inheritdoc />
    public int ControllerHeartbeatAddress => _map.ControllerHeartbeat ?? -1;

    /// <inheritdoc />
    public bool TryResolve(ModbusTcpClient client, byte unitId, out string error)
    {
        error = "";
        return true; // The map is the layout.
    }

    /// <inheritdoc />
    public ModbusResult Poll(ModbusTcpClient client, byte unitId, out InverterReading reading)
    {
        reading = default;
        double powerW = double.NaN, soc = double.NaN, charge = double.NaN, discharge = double.NaN, capacity = double.NaN, rated = double.NaN;
        bool fault = false;
        int deviceHb = -1;
        ModbusResult r = ModbusResult.Ok;
        if (_span <= 125)
        {
            r = Read(client, unitId, _first, _registers.AsSpan(0, _span));
            if (!r.IsOk)
            {
                return r;
            }
        }

        for (int i = 0; i < _reads.Length && r.IsOk; i++)
        {
            RegisterPoint p = _reads[i];
            ReadOnlySpan<ushort> raw;
            if (_span <= 125)
            {
                raw = _registers.AsSpan(p.Address - _first, p.Size);
            }
            else
            {
                r = Read(client, unitId, p.Address, _registers.AsSpan(0, p.Size));
                raw = _registers.AsSpan(0, p.Size);
            }

            if (!r.IsOk)
            {
                return r;
            }

            double v = RegisterCodec.Decode(raw, p.Type, p.WordOrder) * p.Scale;
            if (ReferenceEquals(p, _map.Power))
            {
                powerW = v;
            }
            else if (ReferenceEquals(p, _map.Soc))
            {
                soc = v;
            }
            else if (ReferenceEquals(p, _map.AllowedCharge))
            {
                charge = v;
            }
            else if (ReferenceEquals(p, _map.AllowedDischarge))
            {
                discharge = v;
            }
            else if (ReferenceEquals(p, _map.Capacity))
            {
                capacity = v;
            }
            else if (ReferenceEquals(p, _map.Rated))
            {
                rated = v;
            }
            else if (_map.Fault is { } f && ReferenceEquals(p, f.Point))
            {
                fault = ((ulong)RegisterCodec.Decode(raw, p.Type, p.WordOrder) & f.Mask) != 0;
            }
            else
            {
                deviceHb = raw[0];
            }
        }

        int controllerHb = -1;
        if (_map.ControllerHeartbeat is ushort ctrl)
        {
            r = client.ReadHoldingRegisters(unitId, ctrl, _one);
            if (!r.IsOk)
            {
                return r;
            }

            controllerHb = _one[0];
        }

        reading = new InverterReading
        {
            PowerW = powerW, SocPct = soc, AllowedChargeW = charge, AllowedDischargeW = discharge, CapacityWh = capacity,
            RatedW = rated, Fault = fault, BatteryHeartbeat = deviceHb, ControllerHeartbeat = controllerHb,
        };
        return r;
    }

    /// <inheritdoc />
    public ModbusResult Configure(ModbusTcpClient client, byte unitId, double rampPctPerS, int revertTimeoutS, double ratedW, double deviceW)
    {
        ModbusResult r;
        if (_map.Ramp is { } ramp && !(r = WritePoint(client, unitId, ramp.Point, ramp.Percent ? rampPctPerS : rampPctPerS * 0.01 * ratedW)).IsOk)
        {
            return r;
        }

        if (_map.RevertTimeout is { } timeout && !(r = WritePoint(client, unitId, timeout, revertTimeoutS)).IsOk)
        {
            return r;
        }

        // Reversion holds the power the device delivers now (the driver keeps it tracking the setpoint).
        if (_map.RevertSetpoint is { } revert && !(r = WritePoint(client, unitId, revert, deviceW)).IsOk)
        {
            return r;
        }

        if (_map.RevertEnable is { } re && !(r = client.WriteSingleRegister(unitId, re.Address, re.Value)).IsOk)
        {
            return r;
        }

        if (!(r = WriteSetpoint(client, unitId, deviceW)).IsOk)
        {
            return r;
        }

        return _map.Enable is { } en ? client.WriteSingleRegister(unitId, en.Address, en.Value) : r;
    }

    /// <inheritdoc />
    public ModbusResult WriteSetpoint(ModbusTcpClient client, byte unitId, double deviceW) => WritePoint(client, unitId, _map.Setpoint, deviceW);

    /// <inheritdoc />
    public bool CanTrackRevert => _map.RevertSetpoint is not null;

    /// <inheritdoc />
    public ModbusResult WriteRevertSetpoint(ModbusTcpClient client, byte unitId, double deviceW) => WritePoint(client, unitId, _map.RevertSetpoint!, deviceW);

    private ModbusResult WritePoint(ModbusTcpClient client, byte unitId, RegisterPoint point, double value)
    {
        Span<ushort> regs = _frame.AsSpan(0, point.Size);
        RegisterCodec.Encode(regs, point.Type, value / point.Scale, point.WordOrder);
        return client.WriteMultipleRegisters(unitId, point.Address, regs);
    }

    private ModbusResult Read(ModbusTcpClient client, byte unitId, ushort address, Span<ushort> destination) =>
        _map.ReadFunction == ModbusFunction.ReadInputRegisters
            ? client.ReadInputRegisters(unitId, address, destination)
            : client.ReadHoldingRegisters(unitId, address, destination);
}
