using System.Diagnostics;
using Edge.Core.Devices;
using Edge.Modbus.Client;
using Edge.Modbus.Registers;
using Edge.Modbus.Threading;

namespace Edge.Modbus.Meters;

/// <summary>
/// A Modbus TCP power meter (rack PDU or the site meter) as an <see cref="IPowerSensor"/>, decoded through a
/// <see cref="ModbusMeterMap"/> (data, not code). Its own sampler thread reads every point in one transaction per
/// period; <see cref="TryRead"/> returns the latest reading (lock-free, allocation-free) with its health:
/// <c>BusError</c> after a failed read (the value is the last good one), <c>Stale</c> when the newest reading is older
/// than <see cref="ModbusMeterOptions.StaleAfterMs"/>, <c>NotANumber</c> and <c>OutOfRange</c> for implausible values.
/// </summary>
public sealed class ModbusPowerMeter : IPowerSensor, IDisposable
{
    private readonly ModbusMeterOptions _options;
    private readonly ModbusMeterMap _map;
    private readonly ModbusTcpClient _client;
    private readonly SeqLockValue<PowerReading> _reading = new();
    private readonly Func<long> _clockNs;
    private readonly ushort[] _registers;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private readonly long _staleAfterNs;
    private uint _sequence;
    private volatile bool _everRead;

    /// <summary>Creates the meter and starts its sampler thread.</summary>
    public ModbusPowerMeter(ModbusMeterOptions options, ModbusMeterMap map, Func<long>? clockNs = null)
    {
        IReadOnlyList<Core.OptionError> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _options = options.Clone();
        _map = map;
        _clockNs = clockNs ?? (static () => (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency)));
        _staleAfterNs = _options.StaleAfterMs * 1_000_000L;
        _registers = new ushort[map.SpanRegisters];
        _client = new ModbusTcpClient(_options.Modbus);
        _thread = new Thread(Run) { IsBackground = true, Name = $"meter:{_options.Id}" };
        _thread.Start();
    }

    /// <inheritdoc />
    public string Id => _options.Id;

    /// <summary>The register map in use.</summary>
    public ModbusMeterMap Map => _map;

    /// <summary>The Modbus link's counters.</summary>
    public ModbusClientCounters LinkCounters => _client.Counters;

    /// <inheritdoc />
    public bool TryRead(out PowerReading reading)
    {
        if (!_reading.TryRead(out reading) || !_everRead)
        {
            reading = PowerReading.Missing;
            return false;
        }

        if (reading.Health == SensorHealth.Ok && _clockNs() - reading.TimestampNs > _staleAfterNs)
        {
            reading = reading with { Health = SensorHealth.Stale };
        }

        return true;
    }

    /// <summary>Decodes a reading from registers starting at the map's first address (exposed for tests and replay).</summary>
    public static PowerReading Decode(ModbusMeterMap map, ReadOnlySpan<ushort> registers, long timestampNs, uint sequence, bool invertSign, double maxPlausibleW)
    {
        double powerW = Sum(map.Power, map.FirstAddress, registers) * (invertSign ? -1 : 1);
        double voltageV = map.Voltage.Count == 0 ? double.NaN : Sum(map.Voltage, map.FirstAddress, registers) / map.Voltage.Count;
        double currentA = map.Current.Count == 0 ? double.NaN : Sum(map.Current, map.FirstAddress, registers);
        SensorHealth health = !double.IsFinite(powerW) ? SensorHealth.NotANumber
            : Math.Abs(powerW) > maxPlausibleW ? SensorHealth.OutOfRange
            : SensorHealth.Ok;
        return new PowerReading(timestampNs, powerW, voltageV, currentA, sequence, health);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Set();
        _thread.Join(TimeSpan.FromMilliseconds(_options.Modbus.RequestTimeoutMs * 2 + _options.Modbus.ConnectTimeoutMs + 1000));
        _client.Dispose();
        _stop.Dispose();
    }

    private static double Sum(IReadOnlyList<RegisterPoint> points, ushort first, ReadOnlySpan<ushort> registers)
    {
        double sum = 0;
        for (int i = 0; i < points.Count; i++)
        {
            RegisterPoint p = points[i];
            sum += RegisterCodec.Decode(registers.Slice(p.Address - first, p.Size), p.Type, p.WordOrder) * p.Scale;
        }

        return sum;
    }

    private void Run()
    {
        long periodTicks = _options.PollPeriodMs * Stopwatch.Frequency / 1000;
        long next = Stopwatch.GetTimestamp();
        while (!_stop.IsSet)
        {
            ModbusResult r = _map.Function == ModbusFunction.ReadInputRegisters
                ? _client.ReadInputRegisters(_options.UnitId, _map.FirstAddress, _registers)
                : _client.ReadHoldingRegisters(_options.UnitId, _map.FirstAddress, _registers);
            long now = _clockNs();
            if (r.IsOk)
            {
                _reading.Write(Decode(_map, _registers, now, ++_sequence, _options.InvertSign, _options.MaxPlausibleW));
                _everRead = true;
            }
            else if (_everRead && _reading.TryRead(out PowerReading last))
            {
                _reading.Write(last with { Health = SensorHealth.BusError });
            }

            // Absolute schedule; after a stall, skip ahead rather than burst.
            next += periodTicks;
            long wait = next - Stopwatch.GetTimestamp();
            if (wait < 0)
            {
                next = Stopwatch.GetTimestamp();
                wait = 0;
            }

            _stop.Wait((int)(wait * 1000 / Stopwatch.Frequency));
        }
    }
}
