using System.Diagnostics;
using Edge.Core.Devices;
using Edge.Modbus.Client;
using Edge.Modbus.Threading;

namespace Edge.Modbus.Inverter;

/// <summary>
/// A Modbus battery inverter as an <see cref="IBatteryInverter"/> (docs/DESIGN.md §3 actuate phase, §9 safety). The device
/// family — SunSpec (<see cref="SunSpecProfile"/>) or a vendor map described as data (<see cref="MappedProfile"/>) —
/// is an <see cref="IInverterProfile"/>; this class owns everything else.
/// <para>One I/O worker thread per device owns the Modbus link. The control loop only calls <see cref="PostSetpoint"/>
/// (a latest-value mailbox: never blocks, never allocates) and <see cref="TryReadState"/> (a sequence-locked copy);
/// the worker wakes at once and writes the newest setpoint in one transaction.</para>
/// <para>Start-up: connect, resolve the layout, read the state, take the lease, then program the device's own safety
/// net — its ramp limit, a revert timeout and a reversion setpoint — and enable remote control at the measured power
/// (bumpless). Every setpoint write restarts the device's revert timer; an unchanged setpoint is rewritten only when the
/// last write is older than <see cref="ModbusInverterOptions.RewriteUnchangedAfterMs"/>, and only while the loop keeps
/// posting.</para>
/// <para>The device's own fallback (issue 11): SunSpec <c>WRmp</c> limits increases only, so a device that reverts to
/// 0 W when nobody writes any more makes a step. Where the device has a reversion setpoint (704 <c>WSetRvrt</c>,
/// <c>WSetEnaRvrt</c> = 1) the driver keeps it tracking the current setpoint — at most once per
/// <see cref="ModbusInverterOptions.RevertTrackPeriodMs"/> (≥ 1 s: many devices keep these registers in flash) and only
/// when the setpoint moved by more than <see cref="ModbusInverterOptions.RevertTrackDeadbandW"/> — so that a device
/// whose controllers both died holds its power until its battery limits end the hold (hardware/README.md).</para>
/// <para>Fencing (docs/guard.md): with an <see cref="IActuationLease"/> every Modbus write is preceded by a check that
/// this process still owns the inverters; a fenced driver writes nothing (not even 0 W on dispose) and reports
/// <see cref="InverterHealth.LeaseLost"/>. Every posted setpoint is also a heartbeat for the guard.</para>
/// <para>Single-writer lease through the controller heartbeat register (SunSpec 802 <c>CtrlHb</c>): before writing
/// anything the driver watches it for <see cref="ModbusInverterOptions.LeaseObserveMs"/>; if another controller is
/// incrementing it the driver reports <see cref="InverterHealth.LeaseLost"/> and writes nothing. Holding the lease, it
/// increments the register once per heartbeat period after checking that it still holds the value it wrote last; a
/// different value means another writer appeared and the driver stops writing at once. The period is jittered ±10 %
/// so two controllers that start together cannot stay in lockstep. Devices without such a register have no lease
/// (a single writer must then be ensured by configuration).</para>
/// <para>Implausible values (<see cref="InverterReading.Implausible"/>, and for every profile a measured power beyond
/// ±<see cref="PowerPlausibility.Margin"/> × the rating: <see cref="PowerPlausibility"/>) make the inverter
/// <c>Misconfigured</c>: the controller does not use it and its power and SoC are published as null. Such a measured
/// power is also never enabled from: a driver that is not operating yet writes nothing until the reading is plausible.</para>
/// <para>Health: <c>Offline</c> after <see cref="ModbusInverterOptions.OfflineAfterFailures"/> consecutive link failures
/// (the client reconnects with backoff), <c>LeaseLost</c>, <c>Fault</c> when the device reports one or refuses
/// <see cref="ModbusInverterOptions.FaultAfterRefusals"/> writes in a row, <c>NotEnabled</c> in local control or before
/// commanding, <c>Stale</c> when the newest state is older than <see cref="ModbusInverterOptions.StaleAfterMs"/> or the
/// device's own heartbeat (802 <c>Hb</c>) stopped.</para>
/// <para>Sign convention: Edge's (positive = discharge) is the SunSpec one; devices with the opposite sign set
/// <see cref="ModbusInverterOptions.InvertSign"/>.</para>
/// </summary>
public class ModbusInverter : IBatteryInverter, IDisposable
{
    private const int LatencyRingSize = 1 << 16;

    private readonly ModbusInverterOptions _options;
    private readonly IInverterProfile _profile;
    private readonly ModbusTcpClient _client;
    private readonly SetpointMailbox _mailbox = new();
    private readonly SeqLockValue<InverterState> _state = new();
    private readonly Func<long> _clockNs;
    private readonly Thread _worker;
    private readonly ushort[] _frame = new ushort[1];
    private readonly long[] _latencyTicks = new long[LatencyRingSize];
    private readonly long _staleAfterNs;
    private readonly Random _jitter = new();
    private readonly IActuationLease? _lease;
    private readonly int _leaseSlot;
    private volatile bool _stopping;
    private bool _fenced;
    private double _revertWrittenW = double.NaN;
    private long _nextRevertTicks;

    private Phase _phase = Phase.Disconnected;
    private bool _resolved;
    private double _ratedW;
    private volatile bool _answeredOnce;
    private int _linkFailures;
    private int _refusals;
    private bool _deviceFault;
    private Implausible _implausible;
    private bool _local;
    private bool _leaseLost;
    private bool _leaseHeld;
    private ushort _heartbeat;
    private ushort _observedHeartbeat;
    private long _observeUntilTicks;
    private long _nextHeartbeatTicks;
    private long _nextPollTicks;
    private long _nextAttemptTicks;
    private int _batteryHb = -1;
    private long _batteryHbChangedTicks;
    private double _lastWrittenW = double.NaN;
    private long _lastWriteTicks;
    private InverterState _latest = InverterState.Missing;
    private InverterReading _latestReading;
    private long _latencyCount;

    /// <summary>Creates the driver and starts its I/O worker.</summary>
    /// <param name="options">Settings (validated; throws <see cref="ArgumentException"/> listing every error).</param>
    /// <param name="profile">The device family (register layout and control sequence).</param>
    /// <param name="clockNs">The loop clock in ns (monotonic); default: <see cref="Stopwatch"/>.</param>
    /// <param name="lease">Who may write (daemon or guard; docs/guard.md); null = this driver is the only writer.</param>
    public ModbusInverter(ModbusInverterOptions options, IInverterProfile profile, Func<long>? clockNs = null, IActuationLease? lease = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        _profile = profile;
        _lease = lease;
        _leaseSlot = lease?.SlotOf(options.Id) ?? -1;
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

    /// <summary>The device family.</summary>
    public IInverterProfile Profile => _profile;

    /// <summary>The device's link and unit (for tools that talk to it while this driver is stopped: edge check).</summary>
    public ModbusInverterOptions Options => _options.Clone();
    /// <summary>The revert timeout programmed into the device (SunSpec WSetRvrtTms), s: how long it keeps the last setpoint without a write.</summary>
    public int RevertTimeoutS => _options.RevertTimeoutS;

    /// <summary>The ramp limit programmed into the device (SunSpec WRmp), % of rated power per second (it limits increases only).</summary>
    public double RampPctPerS => _options.RampPctPerS;

    /// <summary>True when the device last reported local control (it refuses remote setpoints until switched back).</summary>
    public bool IsInLocalControl => Volatile.Read(ref _local);

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
    public void PostSetpoint(double setpointW, long nowNs)
    {
        _mailbox.Post(setpointW, nowNs);
        _lease?.Beat(_leaseSlot, setpointW);
    }

    /// <summary>True once the lease was lost to another process (the guard): the driver writes nothing any more.</summary>
    public bool IsFenced => Volatile.Read(ref _fenced);

    /// <summary>Writes of the reversion setpoint (704 <c>WSetRvrt</c>) so far.</summary>
    public long RevertSetpointWrites => Interlocked.Read(ref _revertWrites);

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

    /// <summary>Stops the worker; a device still owned by this driver is left as <see cref="Release"/> says.</summary>
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
        GC.SuppressFinalize(this);
    }

    // ---- worker ------------------------------------------------------------------------------------------------

    private long _setpointWrites;
    private long _revertWrites;
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
            long due = HasLease ? Math.Min(_nextPollTicks, _nextHeartbeatTicks) : _nextPollTicks;
            int waitMs = (int)Math.Clamp((due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency, 0, 1000);
            _mailbox.Wait(waitMs);
            if (_stopping)
            {
                break;
            }

            if (_mailbox.TryTake(out double setpointW, out _))
            {
                WriteSetpoint(setpointW);
                TrackRevert();
            }

            now = Stopwatch.GetTimestamp();
            if (_phase == Phase.Operating && now >= _nextPollTicks)
            {
                Poll();
            }

            if (_phase == Phase.Operating && HasLease && now >= _nextHeartbeatTicks)
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

        if (!_resolved && !Resolve())
        {
            return false;
        }

        if (Stopwatch.GetTimestamp() >= _nextPollTicks && !Poll())
        {
            return false;
        }

        if (HasLease && !_leaseHeld && !AcquireLease())
        {
            return false;
        }

        if (!(_ratedW > 0))
        {
            LastError = $"{_profile.Description}: rated power unknown (the device reports none): set RatedPowerW";
            _nextAttemptTicks = Stopwatch.GetTimestamp() + Ticks(5000);
            return false;
        }

        if (!PlausibleToEnable())
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

    private bool Resolve()
    {
        if (!_profile.TryResolve(_client, _options.UnitId, out string error))
        {
            LastError = error;
            if (_client.IsConnected)
            {
                _nextAttemptTicks = Stopwatch.GetTimestamp() + Ticks(5000); // Not usable (yet): look again later.
            }
            else
            {
                LinkFailed(LastError);
            }

            return false;
        }

        _resolved = true;
        return true;
    }

    private bool HasLease => _options.UseLease && _resolved && _profile.ControllerHeartbeatAddress >= 0;

    /// <summary>Watches the controller heartbeat register; takes the lease when nobody else increments it.</summary>
    private bool AcquireLease()
    {
        long now = Stopwatch.GetTimestamp();
        ushort current = (ushort)_latestReading.ControllerHeartbeat;
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
            LastError = $"another controller is writing the controller heartbeat ({_observedHeartbeat} → {current}); not commanding";
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
        if (!MayWrite())
        {
            return false;
        }

        ModbusResult r = _client.WriteSingleRegister(_options.UnitId, (ushort)_profile.ControllerHeartbeatAddress, next);
        if (!Check(r, "writing the controller heartbeat"))
        {
            return false;
        }

        _heartbeat = next;
        _leaseHeld = true;
        _leaseLost = false;
        _nextHeartbeatTicks = Stopwatch.GetTimestamp() + JitteredHeartbeatTicks();
        return true;
    }

    /// <summary>
    /// Enabling is bumpless from the measured power (<see cref="Configure"/>); a reading beyond
    /// ±<see cref="PowerPlausibility.Margin"/> × the rated power is not what the device delivers, and enabling at
    /// it — clamped to the rating — is a step to full power (20 kW read on a 2 kW device). Such a device is not enabled
    /// (nothing is written) until it reads plausible; it is polled as usual meanwhile and reports <c>Misconfigured</c>,
    /// naming the point (<see cref="Decode"/>: the same rule and rating, for every profile).
    /// </summary>
    private bool PlausibleToEnable() => PowerPlausibility.IsPlausible(_latest.MeasuredPowerW, _ratedW);

    /// <summary>Programs ramp and revert timeout, then enables the setpoint at the measured power (bumpless).</summary>
    private bool Configure()
    {
        double measuredW = double.IsFinite(_latest.MeasuredPowerW) ? _latest.MeasuredPowerW : 0;
        double deviceW = Math.Clamp(_options.InvertSign ? -measuredW : measuredW, -_ratedW, _ratedW);
        if (!MayWrite())
        {
            return false;
        }

        ModbusResult r = _profile.Configure(_client, _options.UnitId, _options.RampPctPerS, _options.RevertTimeoutS, _ratedW, deviceW);
        if (r.Status == ModbusStatus.InvalidRequest)
        {
            // The profile sent nothing: the device cannot be commanded as it reports itself (a 124 device without a
            // usable WChaMax, whose reading is Misconfigured and says so). Not a link failure: look again later.
            _nextAttemptTicks = Stopwatch.GetTimestamp() + Ticks(5000);
            return false;
        }

        if (!Check(r, $"programming {_profile.Description} (ramp, revert timeout, enable)"))
        {
            return false;
        }

        _lastWrittenW = measuredW;
        _lastWriteTicks = Stopwatch.GetTimestamp();
        _revertWrittenW = _profile.CanTrackRevert ? measuredW : double.NaN; // Configure wrote WSetRvrt = the measured power
        _nextRevertTicks = _lastWriteTicks + Ticks(_options.RevertTrackPeriodMs);
        return true;
    }

    /// <summary>
    /// Keeps the device's reversion setpoint near the last written setpoint: at most once per
    /// <see cref="ModbusInverterOptions.RevertTrackPeriodMs"/>, only beyond the deadband — never at the loop rate.
    /// </summary>
    private void TrackRevert()
    {
        if (_phase != Phase.Operating || !_profile.CanTrackRevert || !double.IsFinite(_lastWrittenW))
        {
            return;
        }

        long now = Stopwatch.GetTimestamp();
        if (now < _nextRevertTicks || Math.Abs(_lastWrittenW - _revertWrittenW) <= _options.RevertTrackDeadbandW)
        {
            return;
        }

        if (!MayWrite())
        {
            return;
        }

        _nextRevertTicks = now + Ticks(_options.RevertTrackPeriodMs);
        double edgeW = _lastWrittenW;
        if (Check(_profile.WriteRevertSetpoint(_client, _options.UnitId, _options.InvertSign ? -edgeW : edgeW), "writing the reversion setpoint"))
        {
            _revertWrittenW = edgeW;
            Interlocked.Increment(ref _revertWrites);
        }
    }

    /// <summary>
    /// True while this process may write (no lease configured, or the lease is held). The first time it is not, the
    /// driver stops operating for good: another process (the guard) owns the inverters.
    /// </summary>
    private bool MayWrite()
    {
        if (_lease is null || _lease.IsHeld)
        {
            return true;
        }

        if (!_fenced)
        {
            Volatile.Write(ref _fenced, true);
            LastError = "fenced: another process (the guard) owns the inverters; this driver writes nothing any more";
            _leaseLost = true;
            _phase = Phase.Disconnected;
            _nextAttemptTicks = long.MaxValue;
            SetOperating(false);
            Publish();
        }

        return false;
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

        if (!MayWrite())
        {
            Interlocked.Increment(ref _setpointsNotWritten);
            return;
        }

        double deviceW = _options.InvertSign ? -edgeW : edgeW;
        ModbusResult r = _profile.WriteSetpoint(_client, _options.UnitId, deviceW);
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

    /// <summary>Reads measurements and status; publishes the state. False on a link failure.</summary>
    private bool Poll()
    {
        long now = Stopwatch.GetTimestamp();
        _nextPollTicks = now + Ticks(_options.PollPeriodMs);
        if (!Check(_profile.Poll(_client, _options.UnitId, out InverterReading reading), "reading the state"))
        {
            return false;
        }

        _answeredOnce = true;
        _latestReading = reading;
        Decode(reading, now);
        Publish();
        return true;
    }

    private void Decode(in InverterReading reading, long nowTicks)
    {
        double sign = _options.InvertSign ? -1 : 1;
        // Rated power: configured, else reported, else the largest allowed power ever reported.
        _ratedW = _options.RatedPowerW > 0 ? _options.RatedPowerW
            : reading.RatedW > 0 ? reading.RatedW
            : Math.Max(_ratedW, Math.Max(reading.AllowedChargeW > 0 ? reading.AllowedChargeW : 0, reading.AllowedDischargeW > 0 ? reading.AllowedDischargeW : 0));
        double chargeW = double.IsFinite(reading.AllowedChargeW) ? reading.AllowedChargeW : _ratedW;
        double dischargeW = double.IsFinite(reading.AllowedDischargeW) ? reading.AllowedDischargeW : _ratedW;
        if (_options.RatedPowerW > 0)
        {
            chargeW = Math.Min(chargeW, _ratedW);
            dischargeW = Math.Min(dischargeW, _ratedW);
        }

        double capacityWh = _options.CapacityWh > 0 ? _options.CapacityWh : double.IsFinite(reading.CapacityWh) ? reading.CapacityWh : 0;
        if (reading.BatteryHeartbeat != _batteryHb || _batteryHbChangedTicks == 0)
        {
            _batteryHb = reading.BatteryHeartbeat;
            _batteryHbChangedTicks = nowTicks;
        }

        _deviceFault = reading.Fault;
        _local = reading.Local;
        // Issue 13: implausible values are a fault, named by their point. The profile checks what it knows of its
        // device (SunSpec: every point, 701 W among them); the power rule holds for every profile — a register map's
        // power beyond the margin of the rating used here is as implausible as a SunSpec device's.
        Implausible implausible = reading.Implausible.IsNone
            ? PowerPlausibility.Check(_profile.PowerPoint, reading.PowerW, _ratedW, PowerPlausibility.DeviceRule)
            : reading.Implausible;
        if (implausible != _implausible)
        {
            _implausible = implausible;
            LastError = _implausible.IsNone ? LastError : "implausible device value: " + _implausible;
        }

        _latest = new InverterState(_clockNs(), sign * reading.PowerW, reading.SocPct, Math.Max(0, chargeW), Math.Max(0, dischargeW),
            capacityWh, _latest.LastSetpointW, InverterHealth.Ok);
    }

    private void Heartbeat()
    {
        _nextHeartbeatTicks = Stopwatch.GetTimestamp() + JitteredHeartbeatTicks();
        Span<ushort> one = _frame.AsSpan(0, 1);
        ushort address = (ushort)_profile.ControllerHeartbeatAddress;
        if (!Check(_client.ReadHoldingRegisters(_options.UnitId, address, one), "reading the controller heartbeat"))
        {
            return;
        }

        if (one[0] != _heartbeat)
        {
            // Someone else wrote CtrlHb: stop writing at once and watch again.
            _leaseHeld = false;
            _leaseLost = true;
            LastError = $"lease lost: the controller heartbeat is {one[0]}, we wrote {_heartbeat}";
            _phase = Phase.Observing;
            _observedHeartbeat = one[0];
            _observeUntilTicks = Stopwatch.GetTimestamp() + Ticks(_options.LeaseObserveMs);
            SetOperating(false);
            Publish();
            return;
        }

        ushort next = unchecked((ushort)(_heartbeat + 1));
        if (MayWrite() && Check(_client.WriteSingleRegister(_options.UnitId, address, next), "writing the controller heartbeat"))
        {
            _heartbeat = next;
        }
    }

    /// <summary>
    /// Leaves a device this driver still owns in a defined state without a step. A device that can hold a reversion
    /// setpoint is left holding the last setpoint (<c>WSetRvrt</c> = it: the daemon ramped to 0 W before a clean stop,
    /// and a stop that could not finish its ramp must not end it with a step); others are sent 0 W. A fenced driver
    /// writes nothing: the guard owns the device.
    /// </summary>
    private void Release()
    {
        if (_phase == Phase.Operating && _client.IsConnected && MayWrite())
        {
            if (_profile.CanTrackRevert && double.IsFinite(_lastWrittenW))
            {
                _profile.WriteRevertSetpoint(_client, _options.UnitId, _options.InvertSign ? -_lastWrittenW : _lastWrittenW);
            }
            else
            {
                _profile.WriteSetpoint(_client, _options.UnitId, 0);
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
            // Every exception answer counts as a refusal, and says so: the setpoint and the heartbeat are written from
            // the same thread in turn, so either may be the last error when a device refuses all writes.
            LastError = setpoint ? "the device refuses setpoint writes" : $"{what}: the device refuses it (answered {r})";
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
            : !_implausible.IsNone ? InverterHealth.Misconfigured
            : _local ? InverterHealth.NotEnabled
            : _batteryHb >= 0 && now - _batteryHbChangedTicks > Ticks(_options.StaleAfterMs) ? InverterHealth.Stale
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
