using Edge.Modbus;
using Edge.Modbus.Registers;
using Edge.Modbus.Server;
using Edge.Modbus.SunSpec;

namespace Edge.Simulation.Inverter;

/// <summary>
/// A SunSpec battery inverter as a Modbus register space over a <see cref="SimulatedPcs"/>: "SunS" at 40000, then
/// models 1, 701, 704, 713, 802 (or 1, 701, 124 for a legacy device), then the end marker. Every offset, type and
/// scale factor comes from the embedded published model definitions. Only points the definition marks RW can be
/// written (else exception 2). Writes to the control points act on the PCS at once; <see cref="Step"/> advances the
/// physics and refreshes the measurement points — drive it from a real-time thread
/// (<see cref="SimulatedInverterHost"/>) or explicitly from a test. Thread-safe (one lock).
/// </summary>
public sealed class SunSpecInverterSimulator : IModbusRequestHandler
{
    /// <summary>Address of the "SunS" marker.</summary>
    public const ushort BaseAddress = 40000;

    private readonly Lock _lock = new();
    private readonly SimulatedPcs _pcs;
    private readonly ushort[] _image;
    private readonly bool[] _writable;
    private readonly Dictionary<int, SunSpecModelInstance> _models = [];
    private readonly short _wSf;
    private readonly short _whSf;
    private double _heartbeatS;
    private ushort _heartbeat;
    private Slots? _slots;
    private bool _tripShown;

    /// <summary>Creates the simulator; the PCS starts at rest.</summary>
    public SunSpecInverterSimulator(SimulatedPcsOptions options)
    {
        _pcs = new SimulatedPcs(options);
        _wSf = ScaleFor(options.RatedPowerW, 32_767);
        _whSf = ScaleFor(options.EnergyWh, 65_534);
        int[] chain = options.ControlModel == 124
            ? [SunSpecModels.Common, SunSpecModels.DerMeasureAc, SunSpecModels.Storage]
            : [SunSpecModels.Common, SunSpecModels.DerMeasureAc, SunSpecModels.DerControlAc, SunSpecModels.DerStorageCapacity, SunSpecModels.Battery];
        int size = 2 + 2;
        foreach (int id in chain)
        {
            size += SunSpecModels.Get(id).TotalRegisters;
        }

        _image = new ushort[size];
        _writable = new bool[size];
        _image[0] = SunSpecModels.Marker0;
        _image[1] = SunSpecModels.Marker1;
        int offset = 2;
        foreach (int id in chain)
        {
            SunSpecModelDefinition d = SunSpecModels.Get(id);
            var instance = new SunSpecModelInstance(id, (ushort)(BaseAddress + offset), d.Length, d);
            _models[id] = instance;
            foreach (SunSpecPoint p in d.Points)
            {
                MarkNotImplemented(offset + p.Offset, p);
                for (int i = 0; i < p.Size; i++)
                {
                    _writable[offset + p.Offset + i] = p.Writable;
                }
            }

            _image[offset] = (ushort)id;
            _image[offset + 1] = (ushort)d.Length;
            offset += d.TotalRegisters;
        }

        _image[offset] = SunSpecModels.EndMarker;
        _image[offset + 1] = 0;
        InitialiseStaticPoints(options);
        _slots = new Slots(this);
        UpdateMeasurements();
    }

    /// <summary>Number of registers from <see cref="BaseAddress"/> to the end marker inclusive.</summary>
    public int RegisterCount => _image.Length;

    /// <summary>The models on this device, in chain order.</summary>
    public IReadOnlyCollection<SunSpecModelInstance> Models => _models.Values;

    /// <summary>Active faults.</summary>
    public PcsFaults Faults
    {
        get
        {
            lock (_lock)
            {
                return _pcs.Faults;
            }
        }
    }

    /// <summary>Sets or clears faults (see <see cref="PcsFaults"/>).</summary>
    public void SetFaults(PcsFaults faults)
    {
        lock (_lock)
        {
            _pcs.SetFaults(faults);
            UpdateMeasurements();
        }
    }

    /// <summary>Clears a latched trip once the trip fault itself is gone (as a write of 1 to 802 <c>AlmRst</c> does).</summary>
    public void ResetAlarms()
    {
        lock (_lock)
        {
            _pcs.ResetAlarms();
            UpdateMeasurements();
        }
    }

    /// <summary>Sets the SoC (test setup), %.</summary>
    public void SetSoc(double socPct)
    {
        lock (_lock)
        {
            _pcs.SetSoc(socPct);
            UpdateMeasurements();
        }
    }

    /// <summary>Advances the PCS by <paramref name="dtS"/> and refreshes the measurement registers.</summary>
    public void Step(double dtS)
    {
        lock (_lock)
        {
            _pcs.Step(dtS);
            if ((_pcs.Faults & PcsFaults.Freeze) != 0)
            {
                return; // Measurements and the heartbeat stop.
            }

            _heartbeatS += dtS;
            while (_heartbeatS >= 1)
            {
                _heartbeatS -= 1;
                _heartbeat++;
            }

            UpdateMeasurements();
        }
    }

    /// <summary>A consistent copy of the PCS state.</summary>
    public PcsSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new PcsSnapshot(_pcs.TimeS, _pcs.PowerW, _pcs.ReferenceW, _pcs.SetpointW, _pcs.SetpointEnabled, _pcs.SocPct,
                _pcs.RampPctPerS, _pcs.RevertTimeS, _pcs.RevertCount, _pcs.ControlWrites, _pcs.Tripped,
                _models.ContainsKey(SunSpecModels.Battery) ? _image[Index(SunSpecModels.Battery, "CtrlHb")] : (ushort)0);
        }
    }

    /// <summary>Reads a raw register (tests).</summary>
    public ushort GetRegister(ushort address)
    {
        lock (_lock)
        {
            return _image[address - BaseAddress];
        }
    }

    /// <inheritdoc />
    public ModbusReply Read(byte unitId, ModbusFunction function, ushort address, Span<ushort> destination)
    {
        lock (_lock)
        {
            ModbusReply gate = Gate(unitId);
            if (gate.Kind != ModbusReplyKind.Ok)
            {
                return gate;
            }

            if (function != ModbusFunction.ReadHoldingRegisters && function != ModbusFunction.ReadWriteMultipleRegisters)
            {
                return ModbusReply.Exception(ModbusExceptionCode.IllegalFunction);
            }

            int start = address - BaseAddress;
            if (start < 0 || start + destination.Length > _image.Length)
            {
                return ModbusReply.Exception(ModbusExceptionCode.IllegalDataAddress);
            }

            _image.AsSpan(start, destination.Length).CopyTo(destination);
            return ModbusReply.Ok;
        }
    }

    /// <inheritdoc />
    public ModbusReply Write(byte unitId, ModbusFunction function, ushort address, ReadOnlySpan<ushort> values)
    {
        lock (_lock)
        {
            ModbusReply gate = Gate(unitId);
            if (gate.Kind != ModbusReplyKind.Ok)
            {
                return gate;
            }

            if ((_pcs.Faults & PcsFaults.RefuseWrites) != 0)
            {
                return ModbusReply.Exception(ModbusExceptionCode.ServerDeviceFailure);
            }

            int start = address - BaseAddress;
            if (start < 0 || start + values.Length > _image.Length)
            {
                return ModbusReply.Exception(ModbusExceptionCode.IllegalDataAddress);
            }

            for (int i = 0; i < values.Length; i++)
            {
                if (!_writable[start + i])
                {
                    return ModbusReply.Exception(ModbusExceptionCode.IllegalDataAddress);
                }
            }

            values.CopyTo(_image.AsSpan(start, values.Length));
            Apply(start, start + values.Length);
            return ModbusReply.Ok;
        }
    }

    private ModbusReply Gate(byte unitId)
    {
        PcsFaults f = _pcs.Faults;
        if ((f & PcsFaults.DropConnection) != 0)
        {
            return ModbusReply.Drop;
        }

        if ((f & PcsFaults.Mute) != 0)
        {
            return ModbusReply.Ignore;
        }

        byte unit = _pcs.Options.UnitId;
        return unit == 0 || unitId == unit ? ModbusReply.Ok : ModbusReply.Ignore; // A gateway would answer 0x0B; a device stays silent.
    }

    /// <summary>Acts on a write to image indices [from, to).</summary>
    private void Apply(int from, int to)
    {
        if (_models.ContainsKey(SunSpecModels.DerControlAc))
        {
            bool control = Touches(from, to, SunSpecModels.DerControlAc, "WSetEna", "WSetMod", "WSet", "WSetPct");
            bool reversion = Touches(from, to, SunSpecModels.DerControlAc, "WSetRvrt", "WSetPctRvrt", "WSetEnaRvrt", "WSetRvrtTms");
            if (Touches(from, to, SunSpecModels.DerControlAc, "WRmp"))
            {
                _pcs.WriteRamp(_image[Index(SunSpecModels.DerControlAc, "WRmp")]);
            }

            bool percent = _image[Index(SunSpecModels.DerControlAc, "WSetMod")] == 0;
            if (reversion)
            {
                double revertW = percent ? PercentOf("WSetPctRvrt") : Scaled(SunSpecModels.DerControlAc, "WSetRvrt");
                _pcs.WriteReversion(double.IsFinite(revertW) ? revertW : 0, _image[Index(SunSpecModels.DerControlAc, "WSetEnaRvrt")] == 1,
                    RegisterCodec.ReadUInt32(_image.AsSpan(Index(SunSpecModels.DerControlAc, "WSetRvrtTms"), 2)));
            }

            if (control)
            {
                double setW = percent ? PercentOf("WSetPct") : Scaled(SunSpecModels.DerControlAc, "WSet");
                _pcs.WriteSetpoint(_image[Index(SunSpecModels.DerControlAc, "WSetEna")] == 1, double.IsFinite(setW) ? setW : 0);
            }
        }

        if (_models.ContainsKey(SunSpecModels.Storage))
        {
            if (Touches(from, to, SunSpecModels.Storage, "WChaGra"))
            {
                _pcs.WriteRamp(Scaled(SunSpecModels.Storage, "WChaGra"));
            }

            if (Touches(from, to, SunSpecModels.Storage, "InOutWRte_RvrtTms"))
            {
                _pcs.WriteReversion(0, true, _image[Index(SunSpecModels.Storage, "InOutWRte_RvrtTms")]);
            }

            if (Touches(from, to, SunSpecModels.Storage, "StorCtl_Mod", "OutWRte", "InWRte"))
            {
                // Fronius-style limits: bit 0 limits charge to InWRte %, bit 1 limits discharge to OutWRte %; a negative
                // limit forces the opposite direction. With no local load the PCS sits at 0 W within [min, max].
                int mode = _image[Index(SunSpecModels.Storage, "StorCtl_Mod")];
                double wMax = Scaled(SunSpecModels.Storage, "WChaMax");
                double minW = (mode & 1) != 0 ? -Scaled(SunSpecModels.Storage, "InWRte") * 0.01 * wMax : -wMax;
                double maxW = (mode & 2) != 0 ? Scaled(SunSpecModels.Storage, "OutWRte") * 0.01 * wMax : wMax;
                double targetW = minW > 0 ? minW : maxW < 0 ? maxW : 0;
                _pcs.WriteSetpoint(mode != 0, double.IsFinite(targetW) ? targetW : 0);
            }
        }

        if (_models.ContainsKey(SunSpecModels.Battery) && Touches(from, to, SunSpecModels.Battery, "AlmRst"))
        {
            int index = Index(SunSpecModels.Battery, "AlmRst");
            if (_image[index] == 1)
            {
                _pcs.ResetAlarms();
                _image[index] = 0;
            }
        }

        UpdateMeasurements();
    }

    private double PercentOf(string point) => Scaled(SunSpecModels.DerControlAc, point) * 0.01 * _pcs.RatedPowerW;

    private bool Touches(int from, int to, int model, params ReadOnlySpan<string> points)
    {
        foreach (string name in points)
        {
            SunSpecPoint p = SunSpecModels.Get(model)[name];
            int start = _models[model].StartAddress - BaseAddress + p.Offset;
            if (from < start + p.Size && start < to)
            {
                return true;
            }
        }

        return false;
    }

    private int Index(int model, string point) => _models[model].StartAddress - BaseAddress + SunSpecModels.Get(model)[point].Offset;

    private double Scaled(int model, string point)
    {
        SunSpecPoint p = SunSpecModels.Get(model)[point];
        int i = Index(model, point);
        ReadOnlySpan<ushort> raw = _image.AsSpan(i, p.Size);
        if (RegisterCodec.IsNotImplemented(raw, p.RegisterType!.Value))
        {
            return double.NaN;
        }

        double v = RegisterCodec.Decode(raw, p.RegisterType!.Value);
        return p.ScaleFactorName is null ? v : v * SunSpecBlock.Pow10((short)_image[Index(model, p.ScaleFactorName)]);
    }

    private void Set(int model, string point, double engineeringValue)
    {
        SunSpecPoint p = SunSpecModels.Get(model)[point];
        double raw = p.ScaleFactorName is null ? engineeringValue : engineeringValue / SunSpecBlock.Pow10((short)_image[Index(model, p.ScaleFactorName)]);
        RegisterCodec.Encode(_image.AsSpan(Index(model, point), p.Size), p.RegisterType!.Value, raw);
    }

    private void SetRaw(int model, string point, ushort value) => _image[Index(model, point)] = value;

    private void SetString(int model, string point, string text)
    {
        SunSpecPoint p = SunSpecModels.Get(model)[point];
        RegisterCodec.WriteString(_image.AsSpan(Index(model, point), p.Size), text);
    }

    private void MarkNotImplemented(int index, SunSpecPoint p)
    {
        Span<ushort> r = _image.AsSpan(index, p.Size);
        switch (p.Type)
        {
            case SunSpecPointType.Int16 or SunSpecPointType.ScaleFactor:
                r[0] = 0x8000;
                break;
            case SunSpecPointType.Int32 or SunSpecPointType.Int64:
                r.Clear();
                r[0] = 0x8000;
                break;
            case SunSpecPointType.String or SunSpecPointType.Pad or SunSpecPointType.Acc16 or SunSpecPointType.Acc32 or SunSpecPointType.Acc64:
                r.Clear();
                break;
            default:
                r.Fill(0xFFFF);
                break;
        }
    }

    private static short ScaleFor(double value, double maxRaw)
    {
        short sf = 0;
        while (value / SunSpecBlock.Pow10(sf) > maxRaw)
        {
            sf++;
        }

        return sf;
    }

    private void InitialiseStaticPoints(SimulatedPcsOptions o)
    {
        const int c = SunSpecModels.Common;
        SetString(c, "Mn", "Edge");
        SetString(c, "Md", "SimPCS");
        SetString(c, "Opt", $"model{o.ControlModel}");
        SetString(c, "Vr", "1.0");
        SetString(c, "SN", "SIM-0001");
        SetRaw(c, "DA", 1);

        const int m = SunSpecModels.DerMeasureAc;
        SetRaw(m, "ACType", 2);
        SetRaw(m, "ConnSt", 1);
        SetRaw(m, "A_SF", unchecked((ushort)(short)-1));
        SetRaw(m, "V_SF", unchecked((ushort)(short)-1));
        SetRaw(m, "Hz_SF", unchecked((ushort)(short)-2));
        SetRaw(m, "W_SF", (ushort)_wSf);
        SetRaw(m, "VA_SF", (ushort)_wSf);
        SetRaw(m, "Var_SF", (ushort)_wSf);
        SetRaw(m, "PF_SF", unchecked((ushort)(short)-3));
        SetRaw(m, "TotWh_SF", 0);
        SetRaw(m, "Tmp_SF", unchecked((ushort)(short)-1));
        Set(m, "LLV", 400);
        Set(m, "LNV", 230.9);
        Set(m, "Hz", 50);
        Set(m, "Var", 0);
        Set(m, "PF", 1);
        Set(m, "TmpCab", 35);

        if (_models.ContainsKey(SunSpecModels.DerControlAc))
        {
            const int k = SunSpecModels.DerControlAc;
            SetRaw(k, "WSet_SF", 0);
            SetRaw(k, "WSetPct_SF", unchecked((ushort)(short)-2));
            SetRaw(k, "WMaxLimPct_SF", unchecked((ushort)(short)-1));
            SetRaw(k, "WSetEna", 0);
            SetRaw(k, "WSetMod", 1);
            Set(k, "WSet", 0);
            Set(k, "WSetRvrt", 0);
            Set(k, "WSetPct", 0);
            Set(k, "WSetPctRvrt", 0);
            SetRaw(k, "WSetEnaRvrt", 1);
            Set(k, "WSetRvrtTms", 0);
            Set(k, "WSetRvrtRem", 0);
            Set(k, "WRmp", o.DefaultRampPctPerS);
            SetRaw(k, "WRmpRef", 1);
            SetRaw(k, "WMaxLimPctEna", 0);
            Set(k, "WMaxLimPct", 100);
        }

        if (_models.ContainsKey(SunSpecModels.DerStorageCapacity))
        {
            const int s = SunSpecModels.DerStorageCapacity;
            SetRaw(s, "WH_SF", (ushort)_whSf);
            SetRaw(s, "Pct_SF", unchecked((ushort)(short)-2));
            Set(s, "WHRtg", o.EnergyWh);
            Set(s, "SoH", 100);
        }

        if (_models.ContainsKey(SunSpecModels.Battery))
        {
            const int b = SunSpecModels.Battery;
            SetRaw(b, "AHRtg_SF", 0);
            SetRaw(b, "WHRtg_SF", (ushort)_whSf);
            SetRaw(b, "WChaDisChaMax_SF", (ushort)ScaleFor(o.RatedPowerW, 65_534));
            SetRaw(b, "SoC_SF", unchecked((ushort)(short)-2));
            SetRaw(b, "SoH_SF", 0);
            SetRaw(b, "V_SF", unchecked((ushort)(short)-1));
            SetRaw(b, "CellV_SF", unchecked((ushort)(short)-3));
            SetRaw(b, "A_SF", unchecked((ushort)(short)-1));
            SetRaw(b, "AMax_SF", 0);
            SetRaw(b, "W_SF", (ushort)_wSf);
            Set(b, "AHRtg", o.EnergyWh / 800);
            Set(b, "WHRtg", o.EnergyWh);
            Set(b, "WChaRteMax", o.RatedPowerW);
            Set(b, "WDisChaRteMax", o.RatedPowerW);
            Set(b, "SoCMax", 100);
            Set(b, "SoCMin", 0);
            Set(b, "SoH", 100);
            SetRaw(b, "LocRemCtl", 0);
            SetRaw(b, "CtrlHb", 0);
            SetRaw(b, "AlmRst", 0);
            SetRaw(b, "Typ", 4);
            SetRaw(b, "SetOp", 1);
            SetRaw(b, "SetInvState", 3);
            Set(b, "V", 800);
            RegisterCodec.WriteUInt32(_image.AsSpan(Index(b, "Evt2"), 2), 0);
            RegisterCodec.WriteUInt32(_image.AsSpan(Index(b, "EvtVnd1"), 2), 0);
            RegisterCodec.WriteUInt32(_image.AsSpan(Index(b, "EvtVnd2"), 2), 0);
        }

        if (_models.ContainsKey(SunSpecModels.Storage))
        {
            const int s = SunSpecModels.Storage;
            SetRaw(s, "WChaMax_SF", (ushort)ScaleFor(o.RatedPowerW, 65_534));
            SetRaw(s, "WChaDisChaGra_SF", 0);
            SetRaw(s, "ChaState_SF", unchecked((ushort)(short)-2));
            SetRaw(s, "InBatV_SF", unchecked((ushort)(short)-1));
            SetRaw(s, "InOutWRte_SF", unchecked((ushort)(short)-2));
            SetRaw(s, "MinRsvPct_SF", 0);
            Set(s, "WChaMax", o.RatedPowerW);
            Set(s, "WChaGra", o.DefaultRampPctPerS);
            Set(s, "WDisChaGra", o.DefaultRampPctPerS);
            SetRaw(s, "StorCtl_Mod", 0);
            Set(s, "MinRsvPct", 0);
            Set(s, "InBatV", 800);
            Set(s, "OutWRte", 100);
            Set(s, "InWRte", 100);
            Set(s, "InOutWRte_WinTms", 0);
            Set(s, "InOutWRte_RvrtTms", 0);
            Set(s, "InOutWRte_RmpTms", 0);
            SetRaw(s, "ChaGriSet", 1);
        }
    }

    private void UpdateMeasurements()
    {
        // Runs every step under the lock: precomputed slots, no name lookups, so the lock is held for ~1 µs.
        Slots k = _slots!;
        double powerW = _pcs.PowerW;
        bool tripped = _pcs.Tripped;
        Put(k.W, powerW);
        Put(k.VA, Math.Abs(powerW));
        Put(k.WL1, powerW / 3);
        Put(k.WL2, powerW / 3);
        Put(k.WL3, powerW / 3);
        Put(k.A, Math.Abs(powerW) / (Math.Sqrt(3) * 400));
        Put(k.TotWhInj, _pcs.EnergyOutWh);
        Put(k.TotWhAbs, _pcs.EnergyInWh);
        PutRaw(k.St, tripped ? (ushort)0 : (ushort)1);
        PutRaw(k.InvSt, tripped ? (ushort)6 : _pcs.SetpointEnabled || Math.Abs(powerW) > 0.5 ? (ushort)3 : (ushort)7);
        RegisterCodec.WriteUInt32(_image.AsSpan(k.Alrm.Index, 2), tripped ? 1u << 16 : 0u);
        if (tripped != _tripShown)
        {
            _tripShown = tripped;
            SetString(SunSpecModels.DerMeasureAc, "MnAlrmInfo", tripped ? "simulated trip" : "");
        }

        double socPct = _pcs.SocPct;
        ushort chargeStatus = tripped ? (ushort)1 : socPct <= 0.01 ? (ushort)2 : socPct >= 99.99 ? (ushort)5
            : powerW > 0.5 ? (ushort)3 : powerW < -0.5 ? (ushort)4 : (ushort)6;
        Put(k.WSetRvrtRem, Math.Ceiling(_pcs.RevertRemainingS));
        Put(k.CapSoC, socPct);
        Put(k.WHAvail, _pcs.StoredWh);
        PutRaw(k.CapSta, tripped ? (ushort)2 : (ushort)0);
        Put(k.BatSoC, socPct);
        Put(k.DoD, 100 - socPct);
        PutRaw(k.BatChaSt, chargeStatus);
        PutRaw(k.Hb, _heartbeat);
        PutRaw(k.BatState, tripped ? (ushort)99 : (ushort)3);
        if (k.Evt1.Index >= 0)
        {
            RegisterCodec.WriteUInt32(_image.AsSpan(k.Evt1.Index, 2), tripped ? 1u << 25 : 0u);
        }

        Put(k.BatW, powerW);
        Put(k.BatA, powerW / 800);
        Put(k.ChaState, socPct);
        PutRaw(k.StorChaSt, chargeStatus);
    }

    private void Put(Slot slot, double engineeringValue)
    {
        if (slot.Index >= 0)
        {
            RegisterCodec.Encode(_image.AsSpan(slot.Index, slot.Size), slot.Type, engineeringValue / slot.Scale);
        }
    }

    private void PutRaw(Slot slot, ushort value)
    {
        if (slot.Index >= 0)
        {
            _image[slot.Index] = value;
        }
    }

    /// <summary>Where a point lives in the image, its type and its (static) scale; Index −1 when the model is absent.</summary>
    private readonly record struct Slot(int Index, int Size, RegisterType Type, double Scale);

    private Slot Resolve(int model, string point)
    {
        if (!_models.ContainsKey(model))
        {
            return new Slot(-1, 0, RegisterType.UInt16, 1);
        }

        SunSpecPoint p = SunSpecModels.Get(model)[point];
        double scale = p.ScaleFactorName is null ? 1 : SunSpecBlock.Pow10((short)_image[Index(model, p.ScaleFactorName)]);
        return new Slot(Index(model, point), p.Size, p.RegisterType ?? RegisterType.UInt16, scale);
    }

    /// <summary>The measurement points refreshed every step, resolved once after the scale factors are set.</summary>
    private sealed class Slots(SunSpecInverterSimulator s)
    {
        public Slot W { get; } = s.Resolve(SunSpecModels.DerMeasureAc, "W");
        public Slot VA { get; } = s.Resolve(SunSpecModels.DerMeasureAc, "VA");
        public Slot WL1 { get; } = s.Resolve(SunSpecModels.DerMeasureAc, "WL1");
        public Slot WL2 { get; } = s.Resolve(SunSpecModels.DerMeasureAc, "WL2");
        public Slot WL3 { get; } = s.Resolve(SunSpecModels.DerMeasureAc, "WL3");
        public Slot A { get; } = s.Resolve(SunSpecModels.DerMeasureAc, "A");
        public Slot TotWhInj { get; } = s.Resolve(SunSpecModels.DerMeasureAc, "TotWhInj");
        public Slot TotWhAbs { get; } = s.Resolve(SunSpecModels.DerMeasureAc, "TotWhAbs");
        public Slot St { get; } = s.Resolve(SunSpecModels.DerMeasureAc, "St");
        public Slot InvSt { get; } = s.Resolve(SunSpecModels.DerMeasureAc, "InvSt");
        public Slot Alrm { get; } = s.Resolve(SunSpecModels.DerMeasureAc, "Alrm");
        public Slot WSetRvrtRem { get; } = s.Resolve(SunSpecModels.DerControlAc, "WSetRvrtRem");
        public Slot CapSoC { get; } = s.Resolve(SunSpecModels.DerStorageCapacity, "SoC");
        public Slot WHAvail { get; } = s.Resolve(SunSpecModels.DerStorageCapacity, "WHAvail");
        public Slot CapSta { get; } = s.Resolve(SunSpecModels.DerStorageCapacity, "Sta");
        public Slot BatSoC { get; } = s.Resolve(SunSpecModels.Battery, "SoC");
        public Slot DoD { get; } = s.Resolve(SunSpecModels.Battery, "DoD");
        public Slot BatChaSt { get; } = s.Resolve(SunSpecModels.Battery, "ChaSt");
        public Slot Hb { get; } = s.Resolve(SunSpecModels.Battery, "Hb");
        public Slot BatState { get; } = s.Resolve(SunSpecModels.Battery, "State");
        public Slot Evt1 { get; } = s.Resolve(SunSpecModels.Battery, "Evt1");
        public Slot BatW { get; } = s.Resolve(SunSpecModels.Battery, "W");
        public Slot BatA { get; } = s.Resolve(SunSpecModels.Battery, "A");
        public Slot ChaState { get; } = s.Resolve(SunSpecModels.Storage, "ChaState");
        public Slot StorChaSt { get; } = s.Resolve(SunSpecModels.Storage, "ChaSt");
    }
}
