package io.herald.bench;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * The bench only ever targets this machine: every host it connects to must be a loopback address
 * (127.0.0.0/8). A load generator pointed elsewhere by mistake is refused here, before any socket.
 */
public final class Loopback {
    private Loopback() {}

    public static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                byte[] b = address.getAddress();
                if (b.length != 4 || (b[0] & 0xff) != 127) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Returns the host of {@code uri} if it is loopback, else throws. */
    public static String requireLoopback(URI uri) {
        String host = uri.getHost();
        if (host == null || !isLoopback(host)) {
            throw new IllegalArgumentException("refusing target " + uri + ": only loopback addresses (127.0.0.0/8) may be targets");
        }
        return host;
    }

    /** Source address for worker {@code k}: 127.0.0.(2+k), so each worker has its own ephemeral port range. */
    public static String sourceAddress(int workerIndex) {
        return "127.0.0." + (2 + (workerIndex % 250));
    }
}
