using Edge.Modbus.Client;
using Edge.Modbus.Registers;
using Edge.Modbus.SunSpec;

namespace Edge.Modbus.Inverter;

/// <summary>
/// SunSpec battery inverters: discovery, then model 704 (DER AC controls) or the legacy model 124 (storage) for
/// control, 701 for measurement, 802 (battery) and 713 (storage capacity) for SoC, limits and heartbeats.
/// <list type="table">
/// <item><term>ramp</term><description>704 <c>WRmp</c> (%WMax/s) with <c>WRmpRef</c> = W_MAX; 124 <c>WChaGra</c>, <c>WDisChaGra</c>.</description></item>
/// <item><term>revert</term><description>704 <c>WSetRvrt</c> = the measured power (then kept tracking the setpoint by the
/// driver), <c>WSetEnaRvrt</c> = 1, <c>WSetRvrtTms</c>; 124 <c>InOutWRte_RvrtTms</c> (reverts to no limit: 0 W).</description></item>
/// <item><term>enable</term><description>704 <c>WSetEna</c> = 1, <c>WSetMod</c> = WATTS, <c>WSet</c> = measured; 124 rates = measured, <c>StorCtl_Mod</c> = 3.</description></item>
/// <item><term>setpoint</term><description>704 <c>WSet</c> (int32 × 10^<c>WSet_SF</c>, positive = discharge); 124 <c>OutWRte</c> = x %, <c>InWRte</c> = −x % of <c>WChaMax</c>.</description></item>
/// </list>
/// 124 signs follow the convention Fronius documents for <c>StorCtl_Mod</c> = 3: a negative limit forces the opposite
/// direction, so a forced discharge of x % is <c>OutWRte</c> = x, <c>InWRte</c> = −x. Lease register: 802 <c>CtrlHb</c>.
/// </summary>
public sealed class SunSpecProfile : IInverterProfile
{
    private readonly ushort[] _frame = new ushort[4];
    private SunSpecInverterPoints? _p;
    private SunSpecMap? _map;
    private readonly double _configuredRatedW;
    private double _setpointScale = 1;
    private double _percentBaseW;

    /// <summary>Creates the profile of one device.</summary>
    /// <param name="configuredRatedW">The rated power configured for the device (RatedPowerW), W; 0 = none. It bounds
    /// the measured power that is plausible (<see cref="PowerPlausibility.Margin"/> × it); without it the
    /// device's own rating does.</param>
    public SunSpecProfile(double configuredRatedW = 0) =>
        _configuredRatedW = double.IsFinite(configuredRatedW) && configuredRatedW > 0 ? configuredRatedW : 0;

    /// <summary>The discovered model chain, or null before discovery.</summary>
    public SunSpecMap? Map => Volatile.Read(ref _map);

    /// <summary>The control model in use: 704 or 124 (0 before discovery).</summary>
    public int ControlModel { get; private set; }

    /// <inheritdoc />
    public string Description => ControlModel == 0 ? "SunSpec" : $"SunSpec {ControlModel}";

    /// <inheritdoc />
    public string PowerPoint => "701 W";

    /// <inheritdoc />
    public int ControllerHeartbeatAddress { get; private set; } = -1;

    /// <inheritdoc />
    public bool TryResolve(ModbusTcpClient client, byte unitId, out string error)
    {
        if (_p is not null)
        {
            error = "";
            return true;
        }

        if (!SunSpecDiscovery.TryDiscover(client, unitId, out SunSpecMap? map, out error))
        {
            error = $"SunSpec discovery failed: {error}";
            return false;
        }

        try
        {
            _p = new SunSpecInverterPoints(map!);
        }
        catch (InvalidOperationException e)
        {
            error = e.Message;
            return false;
        }

        ControlModel = _p.HasDerControl ? SunSpecModels.DerControlAc : SunSpecModels.Storage;
        ControllerHeartbeatAddress = _p.Battery is { } b ? b.Model.AddressOf("CtrlHb") : -1;
        Volatile.Write(ref _map, map);
        return true;
    }

    /// <inheritdoc />
    public ModbusResult Poll(ModbusTcpClient client, byte unitId, out InverterReading reading)
    {
        SunSpecInverterPoints p = _p!;
        reading = default;
        ModbusResult r = p.Measure.Refresh(client, unitId, 0, p.MeasureReadLength);
        if (r.IsOk && p.Battery is not null)
        {
            r = p.Battery.Refresh(client, unitId);
        }

        if (r.IsOk && p.Capacity is not null)
        {
            r = p.Capacity.Refresh(client, unitId);
        }

        if (r.IsOk && p.Storage is not null)
        {
            r = p.Storage.Refresh(client, unitId);
        }

        if (r.IsOk)
        {
            reading = Decode(p, _configuredRatedW);
            if (p.Storage is { } s && s.TryRead(p.WChaMax!, out double wChaMax) && wChaMax > 0)
            {
                _percentBaseW = wChaMax; // 124: the percentages follow the device's WChaMax, which it may change
            }
        }

        return r;
    }

    /// <inheritdoc />
    public bool CanTrackRevert => _p?.HasDerControl == true;

    /// <summary>
    /// Reads the control model's scale factors — and for 124 the device's <c>WChaMax</c>, which its percentages
    /// refer to — so that <see cref="WriteSetpoint"/> and <see cref="WriteRevertSetpoint"/> can be used without
    /// <see cref="Configure"/> (the guard takes over a device the daemon configured). Model 124 is commanded in % of
    /// <c>WChaMax</c>, never of a configured or placeholder rating (the guard's device list holds double.MaxValue for
    /// an inverter without <c>RatedPowerW</c>: every percentage was 0 %, a step to 0 W). A 124 device whose
    /// <c>WChaMax</c> is not implemented or not above 0 W cannot be commanded by percentage: the result is then
    /// <see cref="ModbusStatus.InvalidRequest"/> (nothing is written, now or by <see cref="WriteSetpoint"/>) and
    /// <paramref name="problem"/> says why. A link failure is returned as it is.
    /// </summary>
    public ModbusResult PrepareWrites(ModbusTcpClient client, byte unitId, out string problem)
    {
        SunSpecInverterPoints p = _p!;
        problem = "";
        if (p.HasDerControl)
        {
            SunSpecBlock c = p.Control!;
            ModbusResult r = c.Refresh(client, unitId);
            if (r.IsLinkFailure)
            {
                return r;
            }

            if (!r.IsOk || !c.TryScale(c.Definition["WSet_SF"], out _setpointScale))
            {
                _setpointScale = 1; // WSet_SF not implemented: unscaled watts.
            }

            return ModbusResult.Ok;
        }

        SunSpecBlock s = p.Storage!;
        ModbusResult read = s.Refresh(client, unitId); // the guard prepares before its first poll: nothing read yet
        if (!read.IsOk)
        {
            _percentBaseW = 0;
            problem = read.IsLinkFailure ? "" : $"reading model 124: the device answered {read}: not commanding it by percentage";
            return read;
        }

        if (!s.TryScale(s.Definition["InOutWRte_SF"], out _setpointScale))
        {
            _setpointScale = 1;
        }

        if (!s.TryRead(p.WChaMax!, out double wChaMax) || !(wChaMax > 0))
        {
            _percentBaseW = 0;
            problem = double.IsNaN(wChaMax)
                ? "SunSpec 124 commands OutWRte/InWRte in % of 124 WChaMax, which the device does not implement: not commanding it by percentage"
                : FormattableString.Invariant($"SunSpec 124 commands OutWRte/InWRte in % of 124 WChaMax, which reads {wChaMax:0.###} W: not commanding it by percentage (set WChaMax in the device)");
            return new ModbusResult(ModbusStatus.InvalidRequest);
        }

        _percentBaseW = wChaMax;
        return ModbusResult.Ok;
    }

    /// <inheritdoc />
    public ModbusResult WriteRevertSetpoint(ModbusTcpClient client, byte unitId, double deviceW)
    {
        Span<ushort> regs = _frame.AsSpan(0, 2);
        RegisterCodec.WriteInt32(regs, (int)Math.Round(deviceW / _setpointScale));
        return client.WriteMultipleRegisters(unitId, _p!.Control!.Model.AddressOf("WSetRvrt"), regs);
    }

    /// <inheritdoc />
    public ModbusResult Configure(ModbusTcpClient client, byte unitId, double rampPctPerS, int revertTimeoutS, double ratedW, double deviceW)
    {
        SunSpecInverterPoints p = _p!;
        Span<ushort> regs = _frame;
        ModbusResult r = PrepareWrites(client, unitId, out _); // 124: a device without a usable WChaMax is not enabled
        if (!r.IsOk)
        {
            return r;
        }

        if (p.HasDerControl)
        {
            SunSpecBlock c = p.Control!;
            regs[0] = (ushort)Math.Clamp(Math.Round(rampPctPerS), 1, 65_534);
            regs[1] = 1; // WRmpRef = W_MAX: % of maximum active power per second.
            if (!(r = client.WriteMultipleRegisters(unitId, c.Model.AddressOf("WRmp"), regs[..2])).IsOk)
            {
                return r;
            }

            // Reversion holds the power the device delivers now (the driver keeps WSetRvrt tracking the setpoint).
            RegisterCodec.WriteInt32(regs, (int)Math.Round(deviceW / _setpointScale));
            if (!(r = client.WriteMultipleRegisters(unitId, c.Model.AddressOf("WSetRvrt"), regs[..2])).IsOk
                || !(r = client.WriteSingleRegister(unitId, c.Model.AddressOf("WSetEnaRvrt"), 1)).IsOk)
            {
                return r;
            }

            RegisterCodec.WriteUInt32(regs, (uint)revertTimeoutS);
            if (!(r = client.WriteMultipleRegisters(unitId, c.Model.AddressOf("WSetRvrtTms"), regs[..2])).IsOk)
            {
                return r;
            }

            regs[0] = 1; // WSetEna = ENABLED
            regs[1] = 1; // WSetMod = WATTS
            RegisterCodec.WriteInt32(regs[2..], (int)Math.Round(deviceW / _setpointScale));
            return client.WriteMultipleRegisters(unitId, c.Model.AddressOf("WSetEna"), regs);
        }

        SunSpecBlock s = p.Storage!;
        if (!s.TryScale(s.Definition["WChaDisChaGra_SF"], out double rampScale))
        {
            rampScale = 1;
        }

        regs[0] = regs[1] = (ushort)Math.Clamp(Math.Round(rampPctPerS / rampScale), 1, 65_534);
        if (!(r = client.WriteMultipleRegisters(unitId, s.Model.AddressOf("WChaGra"), regs[..2])).IsOk)
        {
            return r;
        }

        regs[0] = (ushort)revertTimeoutS;
        regs[1] = 0; // InOutWRte_RmpTms: the ramp comes from WChaGra/WDisChaGra
        if (!(r = client.WriteMultipleRegisters(unitId, s.Model.AddressOf("InOutWRte_RvrtTms"), regs[..2])).IsOk)
        {
            return r;
        }

        EncodeStorageRates(regs, deviceW);
        return !(r = client.WriteMultipleRegisters(unitId, s.Model.AddressOf("OutWRte"), regs[..2])).IsOk
            ? r
            : client.WriteSingleRegister(unitId, s.Model.AddressOf("StorCtl_Mod"), 3);
    }

    /// <inheritdoc />
    public ModbusResult WriteSetpoint(ModbusTcpClient client, byte unitId, double deviceW)
    {
        Span<ushort> regs = _frame.AsSpan(0, 2);
        if (_p!.HasDerControl)
        {
            RegisterCodec.WriteInt32(regs, (int)Math.Round(deviceW / _setpointScale));
            return client.WriteMultipleRegisters(unitId, _p.WSetAddress, regs);
        }

        if (!(_percentBaseW > 0))
        {
            return new ModbusResult(ModbusStatus.InvalidRequest); // no WChaMax read: 0 % would be a step to 0 W
        }

        EncodeStorageRates(regs, deviceW);
        return client.WriteMultipleRegisters(unitId, _p.OutWRteAddress, regs);
    }

    /// <summary>124: a forced charge or discharge of <paramref name="deviceW"/> as OutWRte/InWRte percentages of the
    /// device's WChaMax (read by <see cref="PrepareWrites"/> and kept current by <see cref="Poll"/>).</summary>
    private void EncodeStorageRates(Span<ushort> regs, double deviceW)
    {
        double pct = _percentBaseW > 0 ? deviceW / _percentBaseW * 100 : 0;
        RegisterCodec.Encode(regs, RegisterType.Int16, pct / _setpointScale);        // OutWRte: discharge limit
        RegisterCodec.Encode(regs[1..], RegisterType.Int16, -pct / _setpointScale);  // InWRte: charge limit (negative forces discharge)
    }

    private static InverterReading Decode(SunSpecInverterPoints p, double configuredRatedW)
    {
        p.Measure.TryRead(p.W, out double powerW);
        bool fault = p.Measure.TryRead(p.InvSt, out double invSt) && invSt == 6;
        fault |= p.Measure.TryRead(p.Alrm, out double alarms) && alarms != 0;

        // The rating is the device's nameplate (the larger of 802's rates, or 124 WChaMax), read before the SoC limits
        // zero the allowed powers: the same rating SunSpecPlausibility bounds the measured power with.
        double socPct = double.NaN, chargeW = double.NaN, dischargeW = double.NaN, capacityWh = double.NaN, chargeStatus = double.NaN, ratedW = 0;
        bool local = false;
        int batteryHb = -1, controllerHb = -1;
        if (p.Battery is { } b)
        {
            b.TryRead(p.BatSoC!, out socPct);
            b.TryRead(p.WChaRteMax!, out chargeW);
            b.TryRead(p.WDisChaRteMax!, out dischargeW);
            ratedW = Math.Max(double.IsFinite(chargeW) ? chargeW : 0, double.IsFinite(dischargeW) ? dischargeW : 0);
            b.TryRead(p.ChaSt!, out chargeStatus);
            b.TryRead(p.BatWHRtg!, out capacityWh);
            fault |= b.TryRead(p.BatState!, out double state) && state == 99;
            local = b.TryRead(p.LocRemCtl!, out double loc) && loc == 1;
            if (b.TryRead(p.SoCMax!, out double socMax) && socPct >= socMax)
            {
                chargeW = 0;
            }

            if (b.TryRead(p.SoCMin!, out double socMin) && socPct <= socMin)
            {
                dischargeW = 0;
            }

            ushort hb = b.Registers[p.Hb!.Offset];
            batteryHb = hb == 0xFFFF ? -1 : hb; // 0xFFFF: not implemented
            controllerHb = b.Registers[p.CtrlHb!.Offset];
        }

        if (p.Capacity is { } c)
        {
            if (double.IsNaN(socPct))
            {
                c.TryRead(p.CapSoC!, out socPct);
            }

            if (!(capacityWh > 0))
            {
                c.TryRead(p.CapWHRtg!, out capacityWh);
            }

            fault |= c.TryRead(p.CapSta!, out double sta) && sta == 2;
        }

        if (p.Storage is { } s)
        {
            if (double.IsNaN(socPct))
            {
                s.TryRead(p.ChaState!, out socPct);
            }

            s.TryRead(p.StorChaSt!, out chargeStatus);
            if (s.TryRead(p.WChaMax!, out double wChaMax))
            {
                ratedW = Math.Max(ratedW, wChaMax);
                chargeW = double.IsNaN(chargeW) ? wChaMax : chargeW;
                dischargeW = double.IsNaN(dischargeW) ? wChaMax : dischargeW;
            }
        }

        // ChaSt (802 and 124): 1 OFF, 2 EMPTY, 5 FULL.
        if (chargeStatus is 1 or 5)
        {
            chargeW = 0;
        }

        if (chargeStatus is 1 or 2)
        {
            dischargeW = 0;
        }

        return new InverterReading
        {
            PowerW = powerW, SocPct = socPct, AllowedChargeW = chargeW, AllowedDischargeW = dischargeW, CapacityWh = capacityWh,
            RatedW = ratedW, Fault = fault, Local = local, BatteryHeartbeat = batteryHb, ControllerHeartbeat = controllerHb,
            Implausible = SunSpecPlausibility.Check(p, configuredRatedW),
        };
    }
}
