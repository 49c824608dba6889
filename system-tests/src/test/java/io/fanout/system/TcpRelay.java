package io.fanout.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on a port of its own to a fan-out instance, to take the instance away from a client without touching
 * it: {@link #drop()} breaks every connection through it (the port stays open), {@link #refusing(boolean)} closes
 * each new connection as soon as it is accepted (the instance looks down). What the server sent through it is kept as
 * text ({@link #fromServer()}: WebSocket frames from a server are unmasked, so their JSON reads as it was sent).
 * One accept thread and two copying threads per connection, all daemons; {@link #close()} stops them.
 */
final class TcpRelay implements AutoCloseable {

    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final StringBuffer fromServer = new StringBuffer();
    private volatile boolean refusing;

    TcpRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accepting = new Thread(this::accept, "relay-accept-" + server.getLocalPort());
        accepting.setDaemon(true);
        accepting.start();
    }

    /** The relay's own address, as a fan-out URL. */
    String url() {
        return "ws://127.0.0.1:" + server.getLocalPort();
    }

    /** Everything the server sent through the relay so far, as ISO-8859-1 text (frame headers included). */
    String fromServer() {
        return fromServer.toString();
    }

    void refusing(boolean refuse) {
        this.refusing = refuse;
    }

    /** Breaks every connection through the relay; new ones are still accepted (unless refusing). */
    void drop() {
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        sockets.clear();
    }

    @Override
    public void close() {
        closeQuietly(server);
        drop();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (refusing) {
                    client.setSoLinger(true, 0); // a reset, as from a dead instance
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, false);
                pump(upstream, client, true);
            } catch (IOException closed) {
                // the server socket was closed, or the instance refused: the client sees its connection fail
            }
        }
    }

    private void pump(Socket from, Socket to, boolean keep) {
        Thread copying = new Thread(
                () -> {
                    byte[] buffer = new byte[16384];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            if (keep) {
                                fromServer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException broken) {
                        // dropped by the test, or by one end: close both
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "relay-pump-" + from.getLocalPort());
        copying.setDaemon(true);
        copying.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
