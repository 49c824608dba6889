package io.fanout.tools.net;

import java.time.Duration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * One test's real HTTP server on 127.0.0.1 (Reactor Netty, a free port) and the event loop its client runs on; both
 * are stopped after each test. Register it as an instance field with {@code @RegisterExtension}.
 */
final class LoopbackServer implements AfterEachCallback {

    static final Duration WAIT = Duration.ofSeconds(30);

    private final LoopResources loops;
    private DisposableServer server;

    LoopbackServer(String name) {
        this.loops = LoopResources.create(name, 1, true);
    }

    /** The client's event loops. */
    LoopResources loops() {
        return loops;
    }

    /** Binds {@code server} (routes and handlers set, no address) to 127.0.0.1; gives {@code 127.0.0.1:<port>}. */
    String start(HttpServer server) {
        this.server = server.host("127.0.0.1").port(0).bindNow(WAIT);
        return "127.0.0.1:" + this.server.port();
    }

    /** Stops the server now; its port then refuses connections. */
    void stop() {
        if (server != null) {
            server.disposeNow();
            server = null;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stop();
        loops.disposeLater().block(WAIT);
    }
}
