using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Ledger.Chaos;

/// <summary>
/// A TCP proxy between the API nodes and PostgreSQL that can misbehave on demand, since these kernels have
/// no netem: add latency to every chunk, reset every connection (RST both ways), black-hole the traffic
/// (bytes are held, as TCP would keep retransmitting them, and delivered when the hole closes), or trickle
/// it a few bytes at a time.
/// </summary>
public sealed class ChaosProxy : IAsyncDisposable
{
    public enum Mode { Normal, Latency, Blackhole, Trickle }

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, (Socket Client, Socket Server)> _pairs = new();
    private long _next;
    private volatile Mode _mode = Mode.Normal;
    private volatile int _latencyMs;
    private readonly Task _accepting;

    public ChaosProxy(int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => _pairs.Count;

    public void Set(Mode mode, int latencyMs = 0)
    {
        _latencyMs = latencyMs;
        _mode = mode;
    }

    /// <summary>Every connection through the proxy closed with a reset, on both sides.</summary>
    public void ResetAll()
    {
        foreach (var (id, pair) in _pairs)
        {
            Abort(pair.Client);
            Abort(pair.Server);
            _pairs.TryRemove(id, out _);
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ConnectAsync(client);
        }
    }

    private async Task ConnectAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            // PostgreSQL is down: the client sees its connection refused as a reset.
            Abort(client);
            server.Dispose();
            return;
        }
        var id = Interlocked.Increment(ref _next);
        _pairs[id] = (client, server);
        await Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
        _pairs.TryRemove(id, out _);
        client.Dispose();
        server.Dispose();
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                await DeliverAsync(to, buffer.AsMemory(0, n));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // One side went away (or was reset): the other goes too.
            Abort(from);
            Abort(to);
        }
    }

    private async Task DeliverAsync(Socket to, Memory<byte> data)
    {
        while (_mode == Mode.Blackhole) await Task.Delay(20, _stop.Token);
        if (_mode == Mode.Latency) await Task.Delay(_latencyMs, _stop.Token);
        while (data.Length > 0)
        {
            // Trickling: a few bytes at a time, a few milliseconds apart, for as long as the mode lasts.
            var piece = _mode == Mode.Trickle ? Math.Min(data.Length, 8) : data.Length;
            var sent = await to.SendAsync(data[..piece], SocketFlags.None, _stop.Token);
            data = data[sent..];
            if (_mode == Mode.Trickle && data.Length > 0) await Task.Delay(5, _stop.Token);
        }
    }

    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        ResetAll();
        await _accepting;
        _stop.Dispose();
    }
}
