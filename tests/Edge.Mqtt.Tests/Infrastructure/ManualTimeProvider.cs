using Microsoft.Extensions.Time.Testing;

namespace Edge.Mqtt.Tests.Infrastructure;

/// <summary>
/// The clock the command tests move by hand: Microsoft.Extensions.TimeProvider.Testing's <see cref="FakeTimeProvider"/>
/// (timers included), kept under this name so the tests that use it need no edit; <see cref="Now"/> is its UTC time.
/// </summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    public DateTimeOffset Now => GetUtcNow();
}
