using System.Net;
using IPNetwork = System.Net.IPNetwork;

namespace ChatBridge.Configuration;

/// <summary>Reads an address or a network (<c>10.0.0.0/8</c>) as configuration lists them.</summary>
internal static class NetworkText
{
    /// <summary>An address is a network of one, so both forms land in one list.</summary>
    public static bool TryParse(string text, out IPNetwork network)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.GetAddressBytes().Length * 8);
            return true;
        }
        return IPNetwork.TryParse(text, out network);
    }
}
