using System.Globalization;
using System.Text;

namespace Edge.Mqtt.Commands;

/// <summary>
/// Command ids already used, per operator, each remembered until its command's <c>expires_at</c> (after which the
/// command is refused as expired anyway). With a path, every id is appended to a file — one line
/// <c>{expires unix ms} {operator} {id}</c> — and fsync'ed before its command goes to the loop, so a restart, kill -9 or
/// power cut included, never forgets an id while its command could still be valid. The file is read at start (a torn
/// last line is skipped) and compacted (rewritten with only the live ids, atomically by rename) once it holds more than
/// twice the live ids; bounded by <c>maxLiveIds</c> live ids. Not thread-safe: the command processor's reader thread
/// owns it.
/// </summary>
public sealed class CommandIdStore : IDisposable
{
    private readonly string? _path;
    private readonly int _maxLive;
    private readonly HashSet<string> _live = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, long> _byExpiry = new();
    private FileStream? _file;
    private int _linesInFile;

    /// <summary>Opens the store (creating its directory and file), dropping ids that expired before <paramref name="nowUnixMs"/>.</summary>
    public CommandIdStore(string? path, int maxLiveIds, long nowUnixMs)
    {
        _maxLive = maxLiveIds;
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        if (File.Exists(_path))
        {
            foreach (string line in File.ReadLines(_path))
            {
                if (TryParse(line, out long expires, out string? key) && expires > nowUnixMs && _live.Count < _maxLive && _live.Add(key))
                {
                    _byExpiry.Enqueue(key, expires);
                }
            }
        }

        Compact();
    }

    /// <summary>Ids remembered now.</summary>
    public int Count => _live.Count;

    /// <summary>True when <paramref name="operatorName"/> already used <paramref name="id"/> for a command that has not expired.</summary>
    public bool Contains(string operatorName, string id) => _live.Contains(Key(operatorName, id));

    /// <summary>
    /// Remembers an id until <paramref name="expiresUnixMs"/>, durably (fsync) when the store has a file. Returns null, or
    /// why the id cannot be taken (already used, store full, disk error): the command must then be refused.
    /// </summary>
    public string? TryUse(string operatorName, string id, long expiresUnixMs, long nowUnixMs)
    {
        Purge(nowUnixMs);
        string key = Key(operatorName, id);
        if (_live.Contains(key))
        {
            return $"id '{id}' was already used (ids are single-use: generate a new one for every command)";
        }

        if (_live.Count >= _maxLive)
        {
            return $"busy: {_maxLive} command ids are still live (Mqtt:Commands:MaxLiveIds); try again later";
        }

        if (_file is not null)
        {
            try
            {
                _file.Write(Encoding.ASCII.GetBytes(Line(expiresUnixMs, key)));
                _file.Flush(flushToDisk: true);
                _linesInFile++;
            }
            catch (IOException e)
            {
                return "the used-id store cannot be written (" + e.Message + "); commands are refused until it can";
            }
        }

        _live.Add(key);
        _byExpiry.Enqueue(key, expiresUnixMs);
        if (_file is not null && _linesInFile > (2 * _live.Count) + 1024)
        {
            Compact();
        }

        return null;
    }

    /// <inheritdoc />
    public void Dispose() => _file?.Dispose();

    private static string Key(string operatorName, string id) => operatorName + " " + id;

    private static string Line(long expiresUnixMs, string key) => expiresUnixMs.ToString(CultureInfo.InvariantCulture) + " " + key + "\n";

    private static bool TryParse(string line, out long expires, out string key)
    {
        key = "";
        expires = 0;
        string[] parts = line.Split(' ');
        if (parts.Length != 3 || parts[1].Length == 0 || parts[2].Length == 0 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out expires))
        {
            return false;
        }

        key = parts[1] + " " + parts[2];
        return true;
    }

    private void Purge(long nowUnixMs)
    {
        while (_byExpiry.TryPeek(out string? key, out long expires) && expires <= nowUnixMs)
        {
            _byExpiry.Dequeue();
            _live.Remove(key);
        }
    }

    /// <summary>Rewrites the file with the live ids only: to a temporary file, fsync, rename over the old one (either
    /// file holds every live id, so a crash at any point loses none).</summary>
    private void Compact()
    {
        _file?.Dispose();
        string tmp = _path + ".tmp";
        using (var w = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var sb = new StringBuilder();
            foreach ((string key, long expires) in _byExpiry.UnorderedItems)
            {
                sb.Append(Line(expires, key));
            }

            w.Write(Encoding.ASCII.GetBytes(sb.ToString()));
            w.Flush(flushToDisk: true);
        }

        File.Move(tmp, _path!, overwrite: true);
        _linesInFile = _live.Count;
        _file = new FileStream(_path!, FileMode.Append, FileAccess.Write, FileShare.Read);
    }
}
