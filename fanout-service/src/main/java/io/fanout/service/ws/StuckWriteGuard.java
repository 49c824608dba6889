package io.fanout.service.ws;

import io.fanout.service.subscribe.SubscribeProperties;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.http.server.HttpServer;

/**
 * Closes a connection that has had bytes waiting to be written, with no write completing and no progress, for
 * {@code fanout.subscribe.write-timeout} (noticed within twice that). A client that stopped reading never takes even
 * the close frame that tells it it was too slow, so after the close code is queued this is what finally frees the
 * connection and its buffers.
 *
 * <p>Netty's {@link IdleStateHandler} with {@code observeOutput} does the timing with one timer per connection;
 * a per-write timer ({@code WriteTimeoutHandler}) cost 9 % of fanout's CPU at saturation.
 */
@Component
class StuckWriteGuard implements NettyServerCustomizer {

    private final long timeoutMillis;

    StuckWriteGuard(SubscribeProperties properties) {
        this.timeoutMillis = properties.writeTimeout().toMillis();
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnConnection(connection -> connection.addHandlerLast("fanout.stuckWrites",
                new StuckWriteCloser(timeoutMillis)));
    }

    /** Writer-idle events come every timeout while nothing is written; only one with bytes waiting closes. */
    private static final class StuckWriteCloser extends IdleStateHandler {

        StuckWriteCloser(long timeoutMillis) {
            super(true, 0, timeoutMillis, 0, TimeUnit.MILLISECONDS);
        }

        @Override
        protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
            ChannelOutboundBuffer waiting = ctx.channel().unsafe().outboundBuffer();
            if (event.state() == IdleState.WRITER_IDLE && waiting != null && waiting.totalPendingWriteBytes() > 0) {
                ctx.close();
            }
        }
    }
}
