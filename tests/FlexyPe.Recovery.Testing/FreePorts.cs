using System.Net;
using System.Net.Sockets;

namespace FlexyPe.Recovery.Testing;

public static class FreePorts
{
    /// <summary>A TCP port on the loopback address that nothing listens on right now.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
