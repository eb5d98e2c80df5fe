using Edge.Core.Control;

namespace Edge.Mqtt.Commands;

/// <summary>
/// Takes a <c>site-limit</c> request on the loop thread (between periods): fills its grant and schedules it, or returns
/// why it cannot. Must not allocate, lock or block. Times are relative (<see cref="SiteLimitCommand.StartsInS"/>, set
/// from the wall clock by the command processor): the loop never reads the wall clock.
/// </summary>
public interface ISiteLimitHandler
{
    /// <summary>Accepts <paramref name="request"/> (filling its grant fields) or returns the reason it is refused.</summary>
    string? Accept(ref SiteLimitCommand request, SmoothingController controller);
}
