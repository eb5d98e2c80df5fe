namespace Edge.Agents.Nvml;

/// <summary>
/// An in-memory NVML for tests and demos: GPUs with a demand, limits and constraints; each call can be made to answer
/// a chosen error (<see cref="Answers"/>), e.g. <see cref="NvmlReturn.NotSupported"/> or
/// <see cref="NvmlReturn.NoPermission"/>. Power drawn = min(demand, limit). Thread-safe.
/// </summary>
public sealed class FakeNvml : INvml
{
    private readonly object _gate = new();
    private readonly uint[] _limitMw, _demandMw;
    private readonly uint _minMw, _maxMw;

    /// <summary>Creates <paramref name="gpus"/> GPUs with the given constraints and demand, limits at the maximum.</summary>
    public FakeNvml(int gpus, uint minMw, uint maxMw, uint demandMw)
    {
        _minMw = minMw;
        _maxMw = maxMw;
        _limitMw = Enumerable.Repeat(maxMw, gpus).ToArray();
        _demandMw = Enumerable.Repeat(demandMw, gpus).ToArray();
    }

    /// <summary>Forced answers by call name (<c>"SetPowerLimitMw"</c>, <c>"PowerInstantMw"</c>, …).</summary>
    public Dictionary<string, NvmlReturn> Answers { get; } = [];

    /// <summary>Every successful SetPowerLimitMw, in order: (gpu, mW).</summary>
    public List<(uint Gpu, uint LimitMw)> SetCalls { get; } = [];

    /// <summary>The limit of <paramref name="gpu"/> now, mW.</summary>
    public uint LimitMw(uint gpu)
    {
        lock (_gate)
        {
            return _limitMw[gpu];
        }
    }

    /// <summary>Sets what every GPU would draw uncapped, mW.</summary>
    public void SetDemandMw(uint demandMw)
    {
        lock (_gate)
        {
            Array.Fill(_demandMw, demandMw);
        }
    }

    /// <inheritdoc />
    public NvmlReturn Init() => Answer(nameof(Init));

    /// <inheritdoc />
    public NvmlReturn Shutdown() => Answer(nameof(Shutdown));

    /// <inheritdoc />
    public NvmlReturn DeviceCount(out uint count)
    {
        count = (uint)_limitMw.Length;
        return Answer(nameof(DeviceCount));
    }

    /// <inheritdoc />
    public NvmlReturn OpenDevice(uint index) => index < _limitMw.Length ? Answer(nameof(OpenDevice)) : NvmlReturn.InvalidArgument;

    /// <inheritdoc />
    public NvmlReturn PowerInstantMw(uint index, out uint powerMw)
    {
        lock (_gate)
        {
            powerMw = Math.Min(_demandMw[index], _limitMw[index]);
        }

        return Answer(nameof(PowerInstantMw));
    }

    /// <inheritdoc />
    public NvmlReturn PowerLimitConstraintsMw(uint index, out uint minMw, out uint maxMw)
    {
        minMw = _minMw;
        maxMw = _maxMw;
        return Answer(nameof(PowerLimitConstraintsMw));
    }

    /// <inheritdoc />
    public NvmlReturn PowerLimitMw(uint index, out uint limitMw)
    {
        limitMw = LimitMw(index);
        return Answer(nameof(PowerLimitMw));
    }

    /// <inheritdoc />
    public NvmlReturn SetPowerLimitMw(uint index, uint limitMw)
    {
        NvmlReturn r = Answer(nameof(SetPowerLimitMw));
        if (r != NvmlReturn.Success)
        {
            return r;
        }

        if (limitMw < _minMw || limitMw > _maxMw)
        {
            return NvmlReturn.InvalidArgument;
        }

        lock (_gate)
        {
            _limitMw[index] = limitMw;
            SetCalls.Add((index, limitMw));
        }

        return NvmlReturn.Success;
    }

    /// <inheritdoc />
    public NvmlReturn ActivateSmoothingProfile(uint index, uint profile)
    {
        lock (_gate)
        {
            NvmlReturn r = Answers.TryGetValue(nameof(ActivateSmoothingProfile), out NvmlReturn a) ? a : NvmlReturn.NotSupported;
            if (r == NvmlReturn.Success)
            {
                SmoothingProfiles[index] = (int)profile;
            }

            return r;
        }
    }

    /// <inheritdoc />
    public NvmlReturn SetSmoothingState(uint index, bool enabled)
    {
        lock (_gate)
        {
            NvmlReturn r = Answers.TryGetValue(nameof(SetSmoothingState), out NvmlReturn a) ? a
                : Answers.TryGetValue(nameof(ActivateSmoothingProfile), out NvmlReturn b) ? b : NvmlReturn.NotSupported;
            if (r == NvmlReturn.Success && !enabled)
            {
                SmoothingProfiles.Remove(index);
            }

            return r;
        }
    }

    /// <summary>The smoothing profile active per GPU (absent: smoothing disabled).</summary>
    public Dictionary<uint, int> SmoothingProfiles { get; } = [];

    private NvmlReturn Answer(string call)
    {
        lock (_gate)
        {
            return Answers.TryGetValue(call, out NvmlReturn r) ? r : NvmlReturn.Success;
        }
    }
}
