package io.fanout.service.ws;

import io.fanout.service.subscribe.SubscribeProperties;
import io.netty.handler.timeout.WriteTimeoutHandler;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.http.server.HttpServer;

/**
 * Closes a connection whose pending write has not completed within {@code fanout.subscribe.write-timeout}.
 * A client that stopped reading never takes even the close frame that tells it it was too slow, so after
 * the close code is queued this is what finally frees the connection and its buffers.
 */
@Component
class StuckWriteGuard implements NettyServerCustomizer {

    private final long timeoutMillis;

    StuckWriteGuard(SubscribeProperties properties) {
        this.timeoutMillis = properties.writeTimeout().toMillis();
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnConnection(connection -> connection.addHandlerLast(
                new WriteTimeoutHandler(timeoutMillis, TimeUnit.MILLISECONDS)));
    }
}
