using System.Diagnostics;
using Edge.Core.Devices;
using Edge.Modbus.Client;
using Edge.Modbus.Registers;
using Edge.Modbus.SunSpec;
using Edge.Modbus.Threading;

namespace Edge.Modbus.Inverter;

/// <summary>
/// A SunSpec battery inverter as an <see cref="IBatteryInverter"/> (DESIGN §3 actuate phase, §9 safety).
/// <para>One I/O worker thread per device owns the Modbus link. The control loop only calls <see cref="PostSetpoint"/>
/// (a latest-value mailbox: never blocks, never allocates) and <see cref="TryReadState"/> (a sequence-locked copy);
/// the worker wakes at once and writes the newest setpoint in one FC 16 transaction.</para>
/// <para>Start-up: connect, discover the model chain ("SunS" at 40000/0/50000), read the state, take the lease, then
/// program the device's own safety net — its ramp limit (704 <c>WRmp</c>/<c>WRmpRef</c>, 124 <c>WChaGra</c>/<c>WDisChaGra</c>)
/// and a revert timeout to 0 W (704 <c>WSetRvrt</c>=0, <c>WSetEnaRvrt</c>=enabled, <c>WSetRvrtTms</c>; 124
/// <c>InOutWRte_RvrtTms</c>) so that if Edge stops writing the device ramps to 0 W by itself — and enables the setpoint
/// at the measured power (bumpless). Every setpoint write restarts the device's revert timer; an unchanged setpoint
/// is rewritten only when the last write is older than <see cref="SunSpecInverterOptions.RewriteUnchangedAfterMs"/>.</para>
/// <para>Sign convention: SunSpec 701 <c>W</c> and 704 <c>WSet</c> are positive for generation (discharge) like Edge;
/// 124 takes percentages of <c>WChaMax</c> in <c>OutWRte</c>/<c>InWRte</c> (a forced discharge of x % is
/// <c>OutWRte</c>=x, <c>InWRte</c>=−x with <c>StorCtl_Mod</c>=3, the convention Fronius documents). Devices with the
/// opposite sign set <see cref="SunSpecInverterOptions.InvertSign"/>.</para>
/// <para>Single-writer lease through 802 <c>CtrlHb</c>: before writing anything the driver watches <c>CtrlHb</c> for
/// <see cref="SunSpecInverterOptions.LeaseObserveMs"/>; if another controller is incrementing it the driver reports
/// <see cref="InverterHealth.LeaseLost"/> and writes nothing. Holding the lease, it increments <c>CtrlHb</c> once per
/// heartbeat period after checking that it still holds the value it wrote last; a different value means another
/// writer appeared and the driver stops writing at once (<see cref="InverterHealth.LeaseLost"/>). The heartbeat period
/// is jittered ±10 % so two controllers that start together cannot stay in lockstep. Devices without model 802 have
/// no lease (a single writer must then be ensured by configuration).</para>
/// <para>Health: <c>Offline</c> after <see cref="SunSpecInverterOptions.OfflineAfterFailures"/> consecutive link failures
/// (the client reconnects with backoff), <c>Stale</c> when the newest state is older than
/// <see cref="SunSpecInverterOptions.StaleAfterMs"/> or the battery heartbeat (802 <c>Hb</c>) stopped, <c>Fault</c>
/// when the device reports one (701 <c>InvSt</c>=FAULT or an alarm, 802 <c>State</c>=FAULT, 713 <c>Sta</c>=ERROR) or
/// refuses writes, <c>NotEnabled</c> in local control (802 <c>LocRemCtl</c>=LOCAL).</para>
/// </summary>
public sealed class SunSpecInverter : IBatteryInverter, IDisposable
{
    private const int LatencyRingSize = 1 << 16;

    private readonly SunSpecInverterOptions _options;
    private readonly ModbusTcpClient _client;
    private readonly SetpointMailbox _mailbox = new();
    private readonly SeqLockValue<InverterState> _state = new();
    private readonly Func<long> _clockNs;
    private readonly Thread _worker;
    private readonly ushort[] _frame = new ushort[4];
    private readonly long[] _latencyTicks = new long[LatencyRingSize];
    private readonly long _staleAfterNs;
    private readonly Random _jitter = new();
    private volatile bool _stopping;

    private Phase _phase = Phase.Disconnected;
    private SunSpecMap? _map;
    private SunSpecInverterPoints? _p;
    private double _ratedW;
    private double _setpointScale = 1;
    private volatile bool _answeredOnce;
    private int _linkFailures;
    private int _refusals;
    private bool _deviceFault;
    private bool _local;
    private bool _leaseLost;
    private bool _leaseHeld;
    private ushort _heartbeat;
    private ushort _observedHeartbeat;
    private long _observeUntilTicks;
    private long _nextHeartbeatTicks;
    private long _nextPollTicks;
    private long _nextAttemptTicks;
    private ushort _batteryHb;
    private long _batteryHbChangedTicks;
    private double _lastWrittenW = double.NaN;
    private long _lastWriteTicks;
    private InverterState _latest = InverterState.Missing;
    private long _latencyCount;

    /// <summary>Creates the driver and starts its I/O worker.</summary>
    /// <param name="options">Settings (validated; throws <see cref="ArgumentException"/> listing every error).</param>
    /// <param name="clockNs">The loop clock in ns (monotonic); default: <see cref="Stopwatch"/>.</param>
    public SunSpecInverter(SunSpecInverterOptions options, Func<long>? clockNs = null)
    {
        IReadOnlyList<Core.OptionError> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _options = options.Clone();
        if (_options.RewriteUnchangedAfterMs == 0)
        {
            _options.RewriteUnchangedAfterMs = _options.RevertTimeoutS * 1000 / 4;
        }

        _clockNs = clockNs ?? StopwatchNs;
        _staleAfterNs = _options.StaleAfterMs * 1_000_000L;
        _client = new ModbusTcpClient(_options.Modbus);
        _state.Write(InverterState.Missing);
        _worker = new Thread(Run) { IsBackground = true, Name = $"inverter:{_options.Id}", Priority = ThreadPriority.AboveNormal };
        _worker.Start();
    }

    private enum Phase : byte
    {
        Disconnected,
        Observing,
        Operating,
    }

    /// <inheritdoc />
    public string Id => _options.Id;

    /// <summary>The discovered model chain, or null before discovery.</summary>
    public SunSpecMap? Map => Volatile.Read(ref _map);

    /// <summary>Which control model is used: 704 or 124 (0 before discovery).</summary>
    public int ControlModel { get; private set; }

    /// <summary>True while the driver holds the single-writer lease (or the device has no lease).</summary>
    public bool IsOperating => Volatile.Read(ref _operatingFlag) != 0;

    /// <summary>Setpoint writes the device acknowledged.</summary>
    public long SetpointWrites => Interlocked.Read(ref _setpointWrites);

    /// <summary>Setpoints not written because the driver was not operating (no link, no lease, not configured).</summary>
    public long SetpointsNotWritten => Interlocked.Read(ref _setpointsNotWritten);

    /// <summary>Bytes allocated on the worker thread by setpoint writes since the last <see cref="ResetAllocationCount"/>.</summary>
    public long SetpointAllocatedBytes => Interlocked.Read(ref _setpointAllocatedBytes);

    /// <summary>Bytes allocated on the worker thread in its operating loop (writes, polls, heartbeats) since the last reset.</summary>
    public long WorkerAllocatedBytes => Interlocked.Read(ref _workerAllocatedBytes);

    /// <summary>The Modbus link's counters.</summary>
    public ModbusClientCounters LinkCounters => _client.Counters;

    /// <summary>A short description of the last problem (for logs and <c>edge check</c>), or empty.</summary>
    public string LastError { get; private set; } = "";

    /// <inheritdoc />
    public bool TryReadState(out InverterState state)
    {
        _state.TryRead(out state);
        if (state.Health == InverterHealth.Missing || !_answeredOnce)
        {
            return false; // Never answered: the state says why (Missing or Offline).
        }

        if (state.Health == InverterHealth.Ok && _clockNs() - state.TimestampNs > _staleAfterNs)
        {
            state = state with { Health = InverterHealth.Stale };
        }

        return true;
    }

    /// <inheritdoc />
    public void PostSetpoint(double setpointW, long nowNs) => _mailbox.Post(setpointW, nowNs);

    /// <summary>Zeroes <see cref="SetpointAllocatedBytes"/> and <see cref="WorkerAllocatedBytes"/> (after a warm-up).</summary>
    public void ResetAllocationCount()
    {
        Interlocked.Exchange(ref _setpointAllocatedBytes, 0);
        Interlocked.Exchange(ref _workerAllocatedBytes, 0);
    }

    /// <summary>Copies the round-trip times of the most recent setpoint writes (oldest first), µs; returns how many.</summary>
    public int CopyWriteLatenciesUs(Span<double> destination)
    {
        long count = Interlocked.Read(ref _latencyCount);
        int n = (int)Math.Min(Math.Min(count, LatencyRingSize), destination.Length);
        for (int i = 0; i < n; i++)
        {
            long index = (count - n + i) & (LatencyRingSize - 1);
            destination[i] = Volatile.Read(ref _latencyTicks[index]) * 1e6 / Stopwatch.Frequency;
        }

        return n;
    }

    /// <summary>Stops the worker. A device still leased to this driver is sent 0 W (it ramps there at its own ramp).</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _mailbox.Wake();
        _worker.Join(TimeSpan.FromMilliseconds(_options.Modbus.RequestTimeoutMs * 4 + _options.Modbus.ConnectTimeoutMs + 1000));
        _client.Dispose();
        _mailbox.Dispose();
    }

    // ---- worker ------------------------------------------------------------------------------------------------

    private long _setpointWrites;
    private long _setpointsNotWritten;
    private long _setpointAllocatedBytes;
    private long _workerAllocatedBytes;
    private int _operatingFlag;

    private void Run()
    {
        while (!_stopping)
        {
            long now = Stopwatch.GetTimestamp();
            if (_phase != Phase.Operating)
            {
                if (now < _nextAttemptTicks || !Prepare())
                {
                    DiscardPending();
                    long waitTicks = Math.Max(_nextAttemptTicks, Math.Min(_nextPollTicks, now + Ticks(_options.PollPeriodMs))) - now;
                    _mailbox.Wait((int)Math.Clamp(waitTicks * 1000 / Stopwatch.Frequency, 1, 1000));
                    continue;
                }
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            long due = _options.UseLease && _p!.HasBattery ? Math.Min(_nextPollTicks, _nextHeartbeatTicks) : _nextPollTicks;
            int waitMs = (int)Math.Clamp((due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency, 0, 1000);
            _mailbox.Wait(waitMs);
            if (_stopping)
            {
                break;
            }

            if (_mailbox.TryTake(out double setpointW, out _))
            {
                WriteSetpoint(setpointW);
            }

            now = Stopwatch.GetTimestamp();
            if (_phase == Phase.Operating && now >= _nextPollTicks)
            {
                Poll();
            }

            if (_phase == Phase.Operating && _options.UseLease && _p!.HasBattery && now >= _nextHeartbeatTicks)
            {
                Heartbeat();
            }

            Interlocked.Add(ref _workerAllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Release();
    }

    /// <summary>Connects, discovers, takes the lease and configures the device. True when operating.</summary>
    private bool Prepare()
    {
        SetOperating(false);
        if (!_client.TryConnect())
        {
            LinkFailed("connect failed");
            return false;
        }

        if (_map is null && !Discover())
        {
            return false;
        }

        if (Stopwatch.GetTimestamp() >= _nextPollTicks && !Poll())
        {
            return false;
        }

        if (_options.UseLease && _p!.HasBattery && !_leaseHeld && !AcquireLease())
        {
            return false;
        }

        if (!Configure())
        {
            return false;
        }

        _phase = Phase.Operating;
        SetOperating(true);
        Publish();
        return true;
    }

    private bool Discover()
    {
        if (!SunSpecDiscovery.TryDiscover(_client, _options.UnitId, out SunSpecMap? map, out string error))
        {
            LastError = $"SunSpec discovery failed: {error}";
            if (_client.IsConnected)
            {
                _nextAttemptTicks = Stopwatch.GetTimestamp() + Ticks(5000); // Not SunSpec (yet): look again later.
            }
            else
            {
                LinkFailed(LastError);
            }

            return false;
        }

        try
        {
            _p = new SunSpecInverterPoints(map!);
        }
        catch (InvalidOperationException e)
        {
            LastError = e.Message;
            _nextAttemptTicks = Stopwatch.GetTimestamp() + Ticks(5000);
            return false;
        }

        ControlModel = _p.HasDerControl ? SunSpecModels.DerControlAc : SunSpecModels.Storage;
        Volatile.Write(ref _map, map);
        return true;
    }

    /// <summary>Watches 802 CtrlHb; takes the lease when nobody else increments it.</summary>
    private bool AcquireLease()
    {
        long now = Stopwatch.GetTimestamp();
        ushort current = _p!.Battery!.Registers[_p.CtrlHb!.Offset];
        if (_phase != Phase.Observing)
        {
            // After a reconnect the lease is still ours if CtrlHb holds what we wrote last.
            if (_heartbeat != 0 && current == _heartbeat)
            {
                _leaseHeld = true;
                return true;
            }

            _phase = Phase.Observing;
            _observedHeartbeat = current;
            _observeUntilTicks = now + Ticks(_options.LeaseObserveMs);
            return false;
        }

        if (current != _observedHeartbeat)
        {
            _leaseLost = true;
            LastError = $"another controller is writing CtrlHb ({_observedHeartbeat} → {current}); not commanding";
            _observedHeartbeat = current;
            _observeUntilTicks = now + Ticks(_options.LeaseObserveMs);
            Publish();
            return false;
        }

        if (now < _observeUntilTicks)
        {
            return false;
        }

        ushort next = unchecked((ushort)(current + 1));
        ModbusResult r = _client.WriteSingleRegister(_options.UnitId, _p.Battery.Model.AddressOf("CtrlHb"), next);
        if (!Check(r, "writing CtrlHb"))
        {
            return false;
        }

        _heartbeat = next;
        _leaseHeld = true;
        _leaseLost = false;
        _nextHeartbeatTicks = Stopwatch.GetTimestamp() + JitteredHeartbeatTicks();
        return true;
    }

    /// <summary>Programs ramp and revert timeout, then enables the setpoint at the measured power (bumpless).</summary>
    private bool Configure()
    {
        SunSpecInverterPoints p = _p!;
        double measuredW = _latest.MeasuredPowerW;
        double deviceW = Math.Clamp((_options.InvertSign ? -measuredW : measuredW) is var m && double.IsFinite(m) ? m : 0, -_ratedW, _ratedW);
        Span<ushort> regs = _frame;
        if (p.HasDerControl)
        {
            SunSpecBlock c = p.Control!;
            if (!c.Refresh(_client, _options.UnitId).IsOk || !c.TryScale(c.Definition["WSet_SF"], out _setpointScale))
            {
                _setpointScale = 1; // WSet_SF not implemented: unscaled watts.
                if (!_client.IsConnected)
                {
                    return LinkFailed("reading model 704 failed");
                }
            }

            ushort address(string name) => c.Model.AddressOf(name);
            regs[0] = (ushort)Math.Clamp(Math.Round(_options.RampPctPerS), 1, 65_534);
            regs[1] = 1; // WRmpRef = W_MAX: % of maximum active power per second.
            if (!Check(_client.WriteMultipleRegisters(_options.UnitId, address("WRmp"), regs[..2]), "writing WRmp"))
            {
                return false;
            }

            RegisterCodec.WriteInt32(regs, 0);
            if (!Check(_client.WriteMultipleRegisters(_options.UnitId, address("WSetRvrt"), regs[..2]), "writing WSetRvrt")
                || !Check(_client.WriteSingleRegister(_options.UnitId, address("WSetEnaRvrt"), 1), "writing WSetEnaRvrt"))
            {
                return false;
            }

            RegisterCodec.WriteUInt32(regs, (uint)_options.RevertTimeoutS);
            if (!Check(_client.WriteMultipleRegisters(_options.UnitId, address("WSetRvrtTms"), regs[..2]), "writing WSetRvrtTms"))
            {
                return false;
            }

            regs[0] = 1; // WSetEna = ENABLED
            regs[1] = 1; // WSetMod = WATTS
            RegisterCodec.WriteInt32(regs[2..], (int)Math.Round(deviceW / _setpointScale));
            if (!Check(_client.WriteMultipleRegisters(_options.UnitId, address("WSetEna"), regs), "enabling WSet"))
            {
                return false;
            }
        }
        else
        {
            SunSpecBlock s = p.Storage!;
            if (!s.TryScale(s.Definition["WChaDisChaGra_SF"], out double rampScale))
            {
                rampScale = 1;
            }

            if (!s.TryScale(s.Definition["InOutWRte_SF"], out _setpointScale))
            {
                _setpointScale = 1;
            }

            regs[0] = regs[1] = (ushort)Math.Clamp(Math.Round(_options.RampPctPerS / rampScale), 1, 65_534);
            if (!Check(_client.WriteMultipleRegisters(_options.UnitId, s.Model.AddressOf("WChaGra"), regs[..2]), "writing WChaGra/WDisChaGra"))
            {
                return false;
            }

            regs[0] = (ushort)_options.RevertTimeoutS;
            regs[1] = 0; // InOutWRte_RmpTms: the ramp comes from WChaGra/WDisChaGra
            if (!Check(_client.WriteMultipleRegisters(_options.UnitId, s.Model.AddressOf("InOutWRte_RvrtTms"), regs[..2]), "writing InOutWRte_RvrtTms"))
            {
                return false;
            }

            EncodeStorageRates(regs, deviceW);
            if (!Check(_client.WriteMultipleRegisters(_options.UnitId, s.Model.AddressOf("OutWRte"), regs[..2]), "writing OutWRte/InWRte")
                || !Check(_client.WriteSingleRegister(_options.UnitId, s.Model.AddressOf("StorCtl_Mod"), 3), "writing StorCtl_Mod"))
            {
                return false;
            }
        }

        _lastWrittenW = measuredW;
        _lastWriteTicks = Stopwatch.GetTimestamp();
        return true;
    }

    private void WriteSetpoint(double setpointW)
    {
        if (_phase != Phase.Operating || !double.IsFinite(setpointW))
        {
            Interlocked.Increment(ref _setpointsNotWritten);
            return;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        double edgeW = Math.Clamp(setpointW, -_ratedW, _ratedW);
        long start = Stopwatch.GetTimestamp();
        if (edgeW == _lastWrittenW && start - _lastWriteTicks < Ticks(_options.RewriteUnchangedAfterMs))
        {
            return;
        }

        double deviceW = _options.InvertSign ? -edgeW : edgeW;
        Span<ushort> regs = _frame.AsSpan(0, 2);
        ushort address;
        if (_p!.HasDerControl)
        {
            RegisterCodec.WriteInt32(regs, (int)Math.Round(deviceW / _setpointScale));
            address = _p.WSetAddress;
        }
        else
        {
            EncodeStorageRates(regs, deviceW);
            address = _p.OutWRteAddress;
        }

        ModbusResult r = _client.WriteMultipleRegisters(_options.UnitId, address, regs);
        long end = Stopwatch.GetTimestamp();
        if (Check(r, "writing the setpoint", setpoint: true))
        {
            _lastWrittenW = edgeW;
            _lastWriteTicks = end;
            long n = _latencyCount;
            Volatile.Write(ref _latencyTicks[n & (LatencyRingSize - 1)], end - start);
            Interlocked.Exchange(ref _latencyCount, n + 1);
            Interlocked.Increment(ref _setpointWrites);
        }

        Interlocked.Add(ref _setpointAllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>124: a forced charge or discharge of <paramref name="deviceW"/> as OutWRte/InWRte percentages of WChaMax.</summary>
    private void EncodeStorageRates(Span<ushort> regs, double deviceW)
    {
        double pct = _ratedW > 0 ? deviceW / _ratedW * 100 : 0;
        RegisterCodec.Encode(regs, RegisterType.Int16, pct / _setpointScale);        // OutWRte: discharge limit
        RegisterCodec.Encode(regs[1..], RegisterType.Int16, -pct / _setpointScale);  // InWRte: charge limit (negative forces discharge)
    }

    /// <summary>Reads measurements and status; publishes the state. False on a link failure.</summary>
    private bool Poll()
    {
        SunSpecInverterPoints p = _p!;
        long now = Stopwatch.GetTimestamp();
        _nextPollTicks = now + Ticks(_options.PollPeriodMs);
        ModbusResult r = p.Measure.Refresh(_client, _options.UnitId, 0, p.MeasureReadLength);
        if (r.IsOk && p.Battery is not null)
        {
            r = p.Battery.Refresh(_client, _options.UnitId);
        }

        if (r.IsOk && p.Capacity is not null)
        {
            r = p.Capacity.Refresh(_client, _options.UnitId);
        }

        if (r.IsOk && p.Storage is not null)
        {
            r = p.Storage.Refresh(_client, _options.UnitId);
        }

        if (!Check(r, "reading the state"))
        {
            return false;
        }

        _answeredOnce = true;
        Decode(now);
        Publish();
        return true;
    }

    private void Decode(long nowTicks)
    {
        SunSpecInverterPoints p = _p!;
        double sign = _options.InvertSign ? -1 : 1;
        p.Measure.TryRead(p.W, out double powerW);
        bool fault = p.Measure.TryRead(p.InvSt, out double invSt) && invSt == 6;
        fault |= p.Measure.TryRead(p.Alrm, out double alarms) && alarms != 0;

        double socPct = double.NaN, chargeW = double.NaN, dischargeW = double.NaN, capacityWh = _options.CapacityWh;
        double chargeStatus = double.NaN;
        if (p.Battery is { } b)
        {
            b.TryRead(p.BatSoC!, out socPct);
            b.TryRead(p.WChaRteMax!, out chargeW);
            b.TryRead(p.WDisChaRteMax!, out dischargeW);
            b.TryRead(p.ChaSt!, out chargeStatus);
            if (capacityWh <= 0 && b.TryRead(p.BatWHRtg!, out double wh))
            {
                capacityWh = wh;
            }

            fault |= b.TryRead(p.BatState!, out double state) && state == 99;
            _local = b.TryRead(p.LocRemCtl!, out double loc) && loc == 1;
            if (b.TryRead(p.SoCMax!, out double socMax) && socPct >= socMax)
            {
                chargeW = 0;
            }

            if (b.TryRead(p.SoCMin!, out double socMin) && socPct <= socMin)
            {
                dischargeW = 0;
            }

            ushort hb = b.Registers[p.Hb!.Offset];
            if (hb != _batteryHb || _batteryHbChangedTicks == 0)
            {
                _batteryHb = hb;
                _batteryHbChangedTicks = nowTicks;
            }
        }

        if (p.Capacity is { } c)
        {
            if (double.IsNaN(socPct))
            {
                c.TryRead(p.CapSoC!, out socPct);
            }

            if (capacityWh <= 0 && c.TryRead(p.CapWHRtg!, out double wh))
            {
                capacityWh = wh;
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
                chargeW = double.IsNaN(chargeW) ? wChaMax : chargeW;
                dischargeW = double.IsNaN(dischargeW) ? wChaMax : dischargeW;
            }
        }

        _ratedW = _options.RatedPowerW > 0 ? _options.RatedPowerW : Math.Max(double.IsFinite(chargeW) ? chargeW : 0, double.IsFinite(dischargeW) ? dischargeW : 0);
        if (_options.RatedPowerW > 0)
        {
            chargeW = double.IsFinite(chargeW) ? Math.Min(chargeW, _ratedW) : _ratedW;
            dischargeW = double.IsFinite(dischargeW) ? Math.Min(dischargeW, _ratedW) : _ratedW;
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

        _deviceFault = fault;
        _latest = new InverterState(_clockNs(), sign * powerW, socPct, Math.Max(0, chargeW), Math.Max(0, dischargeW),
            capacityWh, _latest.LastSetpointW, InverterHealth.Ok);
    }

    private void Heartbeat()
    {
        SunSpecInverterPoints p = _p!;
        _nextHeartbeatTicks = Stopwatch.GetTimestamp() + JitteredHeartbeatTicks();
        Span<ushort> one = _frame.AsSpan(0, 1);
        ushort address = p.Battery!.Model.AddressOf("CtrlHb");
        if (!Check(_client.ReadHoldingRegisters(_options.UnitId, address, one), "reading CtrlHb"))
        {
            return;
        }

        if (one[0] != _heartbeat)
        {
            // Someone else wrote CtrlHb: stop writing at once and watch again.
            _leaseHeld = false;
            _leaseLost = true;
            LastError = $"lease lost: CtrlHb is {one[0]}, we wrote {_heartbeat}";
            _phase = Phase.Observing;
            _observedHeartbeat = one[0];
            _observeUntilTicks = Stopwatch.GetTimestamp() + Ticks(_options.LeaseObserveMs);
            SetOperating(false);
            Publish();
            return;
        }

        ushort next = unchecked((ushort)(_heartbeat + 1));
        if (Check(_client.WriteSingleRegister(_options.UnitId, address, next), "writing CtrlHb"))
        {
            _heartbeat = next;
        }
    }

    private void Release()
    {
        if (_phase == Phase.Operating && _p is not null && _client.IsConnected)
        {
            _frame.AsSpan(0, 2).Clear();
            if (_p.HasDerControl)
            {
                _client.WriteMultipleRegisters(_options.UnitId, _p.WSetAddress, _frame.AsSpan(0, 2));
            }
            else
            {
                _client.WriteMultipleRegisters(_options.UnitId, _p.OutWRteAddress, _frame.AsSpan(0, 2));
            }
        }

        SetOperating(false);
    }

    /// <summary>Books a transaction outcome; false when it failed (a link failure drops back to reconnecting).</summary>
    private bool Check(ModbusResult r, string what, bool setpoint = false)
    {
        if (r.IsOk)
        {
            _linkFailures = 0;
            if (setpoint)
            {
                _refusals = 0;
            }

            return true;
        }

        if (r.Status == ModbusStatus.Exception)
        {
            _refusals++;
            LastError = setpoint ? "the device refuses setpoint writes" : $"{what}: device answered {r}";
            Publish();
            return false;
        }

        return LinkFailed($"{what}: {r}");
    }

    private bool LinkFailed(string why)
    {
        _linkFailures++;
        LastError = why;
        if (_phase == Phase.Operating)
        {
            _phase = Phase.Disconnected;
        }

        SetOperating(false);
        Publish();
        return false;
    }

    private void Publish()
    {
        InverterHealth health = Health();
        if (health == InverterHealth.Missing)
        {
            return;
        }

        _latest = _latest with { Health = health, LastSetpointW = double.IsFinite(_lastWrittenW) ? _lastWrittenW : 0 };
        _state.Write(_latest);
    }

    private InverterHealth Health()
    {
        if (!_answeredOnce)
        {
            return _linkFailures > 0 ? InverterHealth.Offline : InverterHealth.Missing;
        }

        long now = Stopwatch.GetTimestamp();
        return _linkFailures >= _options.OfflineAfterFailures || (!_client.IsConnected && _linkFailures > 0) ? InverterHealth.Offline
            : _leaseLost ? InverterHealth.LeaseLost
            : _deviceFault || _refusals >= _options.FaultAfterRefusals ? InverterHealth.Fault
            : _local ? InverterHealth.NotEnabled
            : _p?.Hb is not null && now - _batteryHbChangedTicks > Ticks(_options.StaleAfterMs) ? InverterHealth.Stale
            : _phase != Phase.Operating ? InverterHealth.NotEnabled
            : InverterHealth.Ok;
    }

    private void DiscardPending()
    {
        if (_mailbox.TryTake(out _, out _))
        {
            Interlocked.Increment(ref _setpointsNotWritten);
        }
    }

    private void SetOperating(bool operating) => Volatile.Write(ref _operatingFlag, operating ? 1 : 0);

    private long JitteredHeartbeatTicks() => (long)(Ticks(_options.HeartbeatPeriodMs) * (0.9 + 0.2 * _jitter.NextDouble()));

    private static long Ticks(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    private static long StopwatchNs() => (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
}
