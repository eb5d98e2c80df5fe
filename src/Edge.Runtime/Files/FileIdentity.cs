namespace Edge.Runtime.Files;

/// <summary>What makes a file the same file: its device and inode (see <see cref="OutputFile.IdentityOf"/>).</summary>
/// <param name="DeviceMajor">Major number of the device holding the file.</param>
/// <param name="DeviceMinor">Minor number of the device holding the file.</param>
/// <param name="Inode">Inode number on that device.</param>
/// <param name="IsRegular">True for a regular file.</param>
public readonly record struct FileIdentity(uint DeviceMajor, uint DeviceMinor, ulong Inode, bool IsRegular);
