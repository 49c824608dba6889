package io.fanout.tools.net;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Unpooled Reactor Netty {@link HttpClient}s for many connections to one base URL: the first {@code perSourceIp}
 * connections leave from the kernel's default source address (127.0.0.1), the next ones bind to 127.0.0.2, .3, …, so
 * more connections than one address has ephemeral ports can be opened. Thread-safe.
 */
final class SourceAddressClients {

    private final String base;
    private final int perSourceIp;
    private final LoopResources loops;
    private final UnaryOperator<HttpClient> settings;
    private final List<HttpClient> clients = new ArrayList<>();
    private final AtomicInteger opened = new AtomicInteger();

    /**
     * @param base the URL connections go to, without a trailing {@code /}
     * @param settings what every client gets besides its source address (headers, timeouts)
     */
    SourceAddressClients(LoopResources loops, String base, int perSourceIp, UnaryOperator<HttpClient> settings) {
        this.base = base;
        this.perSourceIp = Math.max(1, perSourceIp);
        this.loops = loops;
        this.settings = settings;
    }

    /** {@code url} without a trailing {@code /}. */
    static String trimmed(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The client for the next connection. */
    HttpClient next() {
        int ip = opened.getAndIncrement() / perSourceIp;
        synchronized (clients) {
            while (clients.size() <= ip) {
                int n = clients.size();
                HttpClient client = settings.apply(
                        HttpClient.create(ConnectionProvider.newConnection()).runOn(loops));
                String host = URI.create(base).getHost();
                if (n > 0 && host.startsWith("127.")) {
                    String source = "127.0." + ((n + 1) / 256) + "." + ((n + 1) % 256);
                    client = client.bindAddress(() -> new InetSocketAddress(source, 0));
                }
                clients.add(client);
            }
            return clients.get(ip);
        }
    }
}
