using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Edge.Modbus.Tests;

/// <summary>
/// A tiny fake Modbus TCP peer for framing edge cases: reads each request frame and answers whatever the test's
/// script returns for it (raw bytes, possibly malformed), then optionally closes the connection.
/// </summary>
internal sealed class ScriptedServer : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Func<byte[], Reply> _script;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _connections;
    private int _requests;

    public ScriptedServer(Func<byte[], Reply> script)
    {
        _script = script;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(4);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _thread = new Thread(Loop) { IsBackground = true };
        _thread.Start();
    }

    public int Port { get; }

    public int Connections => Volatile.Read(ref _connections);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>What to send back; Close closes the connection after sending.</summary>
    public readonly record struct Reply(byte[] Bytes, bool Close = false);

    /// <summary>A correct answer echoing the request's MBAP header with the given PDU.</summary>
    public static byte[] Answer(byte[] request, params byte[] pdu) => Frame(BinaryPrimitives.ReadUInt16BigEndian(request), request[6], pdu);

    public static byte[] Frame(ushort transactionId, byte unit, params byte[] pdu)
    {
        byte[] f = new byte[7 + pdu.Length];
        BinaryPrimitives.WriteUInt16BigEndian(f, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(4), (ushort)(pdu.Length + 1));
        f[6] = unit;
        pdu.CopyTo(f, 7);
        return f;
    }

    public void Dispose()
    {
        _stopping = true;
        _listener.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Loop()
    {
        while (!_stopping)
        {
            Socket s;
            try
            {
                s = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            using (s)
            {
                try
                {
                    while (!_stopping)
                    {
                        byte[] header = new byte[7];
                        if (!ReadExactly(s, header))
                        {
                            break;
                        }

                        byte[] request = new byte[6 + BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(4))];
                        header.CopyTo(request, 0);
                        if (!ReadExactly(s, request.AsSpan(7)))
                        {
                            break;
                        }

                        Interlocked.Increment(ref _requests);
                        Reply reply = _script(request);
                        if (reply.Bytes.Length > 0)
                        {
                            s.Send(reply.Bytes);
                        }

                        if (reply.Close)
                        {
                            s.Shutdown(SocketShutdown.Both);
                            break;
                        }
                    }
                }
                catch (SocketException)
                {
                    // The client went away.
                }
            }
        }
    }

    private static bool ReadExactly(Socket s, Span<byte> buffer)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            int n = s.Receive(buffer[got..]);
            if (n == 0)
            {
                return false;
            }

            got += n;
        }

        return true;
    }
}
