using System.Runtime.InteropServices;

namespace Edge.Agents.Nvml;

/// <summary>
/// <see cref="INvml"/> over libnvidia-ml.so.1 by P/Invoke. The library is loaded on <see cref="Init"/>; a machine
/// without it answers <see cref="NvmlReturn.LibraryNotFound"/>, a driver without a call
/// <see cref="NvmlReturn.FunctionNotFound"/>. Not exercised by the tests (no GPU on the build machines): the fake
/// stands in, and this file is the thinnest possible mapping of the documented C signatures.
/// </summary>
public sealed unsafe class NativeNvml : INvml
{
    private const uint FieldPowerInstant = 186;   // NVML_FI_DEV_POWER_INSTANT
    private const string Library = "libnvidia-ml.so.1";
    private readonly Dictionary<uint, IntPtr> _devices = [];
    private IntPtr _lib;
    private delegate* unmanaged<int> _init;
    private delegate* unmanaged<int> _shutdown;
    private delegate* unmanaged<uint*, int> _count;
    private delegate* unmanaged<uint, IntPtr*, int> _handle;
    private delegate* unmanaged<IntPtr, int, FieldValue*, int> _fields;
    private delegate* unmanaged<IntPtr, uint*, uint*, int> _constraints;
    private delegate* unmanaged<IntPtr, uint*, int> _limit;
    private delegate* unmanaged<IntPtr, uint, int> _setLimit;
    private delegate* unmanaged<IntPtr, SmoothingProfile*, int> _activateProfile;
    private delegate* unmanaged<IntPtr, SmoothingState*, int> _smoothingState;

    /// <inheritdoc />
    public NvmlReturn Init()
    {
        if (_lib == IntPtr.Zero && !NativeLibrary.TryLoad(Library, out _lib))
        {
            return NvmlReturn.LibraryNotFound;
        }

        _init = (delegate* unmanaged<int>)Export("nvmlInit_v2");
        _shutdown = (delegate* unmanaged<int>)Export("nvmlShutdown");
        _count = (delegate* unmanaged<uint*, int>)Export("nvmlDeviceGetCount_v2");
        _handle = (delegate* unmanaged<uint, IntPtr*, int>)Export("nvmlDeviceGetHandleByIndex_v2");
        _fields = (delegate* unmanaged<IntPtr, int, FieldValue*, int>)Export("nvmlDeviceGetFieldValues");
        _constraints = (delegate* unmanaged<IntPtr, uint*, uint*, int>)Export("nvmlDeviceGetPowerManagementLimitConstraints");
        _limit = (delegate* unmanaged<IntPtr, uint*, int>)Export("nvmlDeviceGetPowerManagementLimit");
        _setLimit = (delegate* unmanaged<IntPtr, uint, int>)Export("nvmlDeviceSetPowerManagementLimit");
        _activateProfile = (delegate* unmanaged<IntPtr, SmoothingProfile*, int>)Export("nvmlDevicePowerSmoothingActivatePresetProfile");
        _smoothingState = (delegate* unmanaged<IntPtr, SmoothingState*, int>)Export("nvmlDevicePowerSmoothingSetState");
        return _init == null ? NvmlReturn.FunctionNotFound : (NvmlReturn)_init();
    }

    /// <inheritdoc />
    public NvmlReturn Shutdown() => _shutdown == null ? NvmlReturn.Uninitialized : (NvmlReturn)_shutdown();

    /// <inheritdoc />
    public NvmlReturn DeviceCount(out uint count)
    {
        uint c = 0;
        NvmlReturn r = _count == null ? NvmlReturn.FunctionNotFound : (NvmlReturn)_count(&c);
        count = c;
        return r;
    }

    /// <inheritdoc />
    public NvmlReturn OpenDevice(uint index)
    {
        IntPtr h = IntPtr.Zero;
        NvmlReturn r = _handle == null ? NvmlReturn.FunctionNotFound : (NvmlReturn)_handle(index, &h);
        if (r == NvmlReturn.Success)
        {
            _devices[index] = h;
        }

        return r;
    }

    /// <inheritdoc />
    public NvmlReturn PowerInstantMw(uint index, out uint powerMw)
    {
        powerMw = 0;
        if (_fields == null || !_devices.TryGetValue(index, out IntPtr h))
        {
            return _fields == null ? NvmlReturn.FunctionNotFound : NvmlReturn.InvalidArgument;
        }

        FieldValue v = default;
        v.FieldId = FieldPowerInstant;
        var r = (NvmlReturn)_fields(h, 1, &v);
        if (r != NvmlReturn.Success)
        {
            return r;
        }

        if ((NvmlReturn)v.Return != NvmlReturn.Success)
        {
            return (NvmlReturn)v.Return;
        }

        // NVML_VALUE_TYPE_UNSIGNED_INT = 1; the other integer types are read from the same 8 bytes.
        powerMw = v.ValueType == 1 ? (uint)(v.Value & 0xFFFF_FFFF) : (uint)Math.Min(v.Value, uint.MaxValue);
        return NvmlReturn.Success;
    }

    /// <inheritdoc />
    public NvmlReturn PowerLimitConstraintsMw(uint index, out uint minMw, out uint maxMw)
    {
        uint lo = 0, hi = 0;
        NvmlReturn r = Handle(index, _constraints == null, out IntPtr h);
        if (r == NvmlReturn.Success)
        {
            r = (NvmlReturn)_constraints(h, &lo, &hi);
        }

        minMw = lo;
        maxMw = hi;
        return r;
    }

    /// <inheritdoc />
    public NvmlReturn PowerLimitMw(uint index, out uint limitMw)
    {
        uint l = 0;
        NvmlReturn r = Handle(index, _limit == null, out IntPtr h);
        if (r == NvmlReturn.Success)
        {
            r = (NvmlReturn)_limit(h, &l);
        }

        limitMw = l;
        return r;
    }

    /// <inheritdoc />
    public NvmlReturn SetPowerLimitMw(uint index, uint limitMw)
    {
        NvmlReturn r = Handle(index, _setLimit == null, out IntPtr h);
        return r == NvmlReturn.Success ? (NvmlReturn)_setLimit(h, limitMw) : r;
    }

    /// <inheritdoc />
    public NvmlReturn ActivateSmoothingProfile(uint index, uint profile)
    {
        // nvmlPowerSmoothingProfile_v1_t {version, profileId, paramId, value}; version = sizeof | 1 << 24.
        var p = new SmoothingProfile { Version = (uint)sizeof(SmoothingProfile) | (1u << 24), ProfileId = profile };
        NvmlReturn r = Handle(index, _activateProfile == null, out IntPtr h);
        return r == NvmlReturn.Success ? (NvmlReturn)_activateProfile(h, &p) : r;
    }

    /// <inheritdoc />
    public NvmlReturn SetSmoothingState(uint index, bool enabled)
    {
        // nvmlPowerSmoothingState_v1_t {version, state}; nvmlEnableState_t: 0 disabled, 1 enabled.
        var s = new SmoothingState { Version = (uint)sizeof(SmoothingState) | (1u << 24), State = enabled ? 1u : 0u };
        NvmlReturn r = Handle(index, _smoothingState == null, out IntPtr h);
        return r == NvmlReturn.Success ? (NvmlReturn)_smoothingState(h, &s) : r;
    }

    private NvmlReturn Handle(uint index, bool missing, out IntPtr handle)
    {
        handle = IntPtr.Zero;
        return missing ? NvmlReturn.FunctionNotFound : _devices.TryGetValue(index, out handle) ? NvmlReturn.Success : NvmlReturn.InvalidArgument;
    }

    private void* Export(string name) => NativeLibrary.TryGetExport(_lib, name, out IntPtr p) ? (void*)p : null;

    /// <summary>nvmlFieldValue_t: fieldId, scopeId, timestamp, latencyUsec, valueType, nvmlReturn, value (8-byte union).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FieldValue
    {
        public uint FieldId;
        public uint ScopeId;
        public long Timestamp;
        public long LatencyUsec;
        public int ValueType;
        public int Return;
        public ulong Value;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SmoothingState
    {
        public uint Version;
        public uint State;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SmoothingProfile
    {
        public uint Version;
        public uint ProfileId;
        public uint ParamId;
        public double Value;
    }
}
