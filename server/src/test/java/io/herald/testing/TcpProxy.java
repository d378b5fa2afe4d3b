package io.herald.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay in front of a real service, to take that service away from one server
 * under test without stopping it for the other test classes that share it: {@link #cut} drops
 * every relayed connection and refuses new ones, as a stopped or unreachable server does;
 * {@link #restore} accepts again on the same port. {@link #freeze} keeps every connection open but
 * holds what it carries, as a server that hangs (SIGSTOP) does, until {@link #thaw}.
 */
public final class TcpProxy implements AutoCloseable {
    private final int targetPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private volatile boolean frozen;

    private TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        acceptLoop(listener);
    }

    /** A relay on a free loopback port to {@code 127.0.0.1:targetPort}. */
    public static TcpProxy to(int targetPort) {
        try {
            return new TcpProxy(targetPort);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a TCP relay: " + e, e);
        }
    }

    public int port() {
        return port;
    }

    /** Drops every relayed connection and refuses new ones. */
    public synchronized void cut() {
        closeQuietly(listener);
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
    }

    /** Holds every byte in both directions; connections stay open. */
    public void freeze() {
        frozen = true;
    }

    public void thaw() {
        frozen = false;
    }

    /** Accepts connections again, on the same port. */
    public synchronized void restore() {
        try {
            listener = listen(port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen again on " + port + ": " + e, e);
        }
        acceptLoop(listener);
    }

    @Override
    public void close() {
        cut();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }

    private void acceptLoop(ServerSocket server) {
        Thread accepting = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    synchronized (TcpProxy.this) {
                        // A connection accepted just before cut() must not outlive it.
                        if (server.isClosed()) {
                            closeQuietly(client);
                            closeQuietly(target);
                            continue;
                        }
                        sockets.add(client);
                        sockets.add(target);
                    }
                    pump(client, target);
                    pump(target, client);
                } catch (IOException e) {
                    // closed by cut(), or the target refused: the client sees its connection end
                }
            }
        }, "tcp-proxy-accept-" + port);
        accepting.setDaemon(true);
        accepting.start();
    }

    private void pump(Socket from, Socket to) {
        Thread pumping = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    while (frozen) {
                        Thread.sleep(10);
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "tcp-proxy-pump-" + port);
        pumping.setDaemon(true);
        pumping.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception e) {
            // already closed
        }
    }
}
