namespace Edge.Runtime.Files;

/// <summary>
/// A path Edge was asked to write cannot be written under the output policy (a directory, a block device, a missing
/// directory, no permission). The message names the path and the reason in one sentence.
/// </summary>
public sealed class OutputFileException(string message, Exception? inner = null) : IOException(message, inner);
