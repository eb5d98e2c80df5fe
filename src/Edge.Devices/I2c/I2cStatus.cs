namespace Edge.Devices.I2c;

/// <summary>
/// Outcome of one I²C transfer. Device faults are values, not exceptions, so the sampling path never throws.
/// The mapping from Linux errno follows the kernel's Documentation/i2c/fault-codes.rst.
/// </summary>
public enum I2cStatus : byte
{
    /// <summary>The transfer completed.</summary>
    Ok = 0,

    /// <summary>
    /// The device did not acknowledge (ENXIO: no ACK in the address phase — usually nothing at that address;
    /// EREMOTEIO: no ACK on a data byte; several adapters, e.g. the Raspberry Pi's, also use it for an address NACK).
    /// </summary>
    NoAcknowledge,

    /// <summary>The adapter gave up waiting (ETIMEDOUT), e.g. a slave holding SCL low.</summary>
    Timeout,

    /// <summary>Bus-level failure (EIO, EAGAIN = arbitration lost, EPROTO, EBADMSG): a glitch, collision or wiring fault.</summary>
    BusError,

    /// <summary>The bus stayed busy too long, or a kernel driver owns the address (EBUSY).</summary>
    Busy,

    /// <summary>The adapter cannot do this kind of transfer (EOPNOTSUPP; e.g. SMBus-only controllers and I2C_RDWR).</summary>
    NotSupported,

    /// <summary>The request was malformed (EINVAL), e.g. a message longer than the adapter allows.</summary>
    InvalidRequest,

    /// <summary>The device handle was disposed or the adapter disappeared (EBADF, ENODEV).</summary>
    Closed,

    /// <summary>Anything else (see the device's last errno).</summary>
    Other,
}
