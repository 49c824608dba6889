package io.fanout.service.ws;

import io.fanout.service.subscribe.SubscribeProperties;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.http.server.HttpServer;

/**
 * Closes a connection whose bytes have waited to be written, with no progress at all, for
 * {@code fanout.subscribe.write-timeout} (noticed within twice that). A client that stopped reading never takes even
 * the close frame that tells it it was too slow, so after the close code is queued this is what finally frees the
 * connection and its buffers.
 *
 * <p>One timer per connection looks at the channel's outbound buffer every timeout: the same test as Netty's
 * {@code IdleStateHandler} with {@code observeOutput}, without that handler's promise and listener on every write
 * (which cost over half of fanout's CPU at saturation), and without {@code WriteTimeoutHandler}'s timer per write.
 */
@Component
class StuckWriteGuard implements NettyServerCustomizer {

    private final long timeoutMillis;

    StuckWriteGuard(SubscribeProperties properties) {
        this.timeoutMillis = properties.writeTimeout().toMillis();
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnConnection(
                connection -> connection.addHandlerLast("fanout.stuckWrites", new StuckWriteCloser(timeoutMillis)));
    }

    private static final class StuckWriteCloser extends ChannelInboundHandlerAdapter {

        private final long timeoutMillis;
        private Future<?> check;
        private long lastPending;
        private int lastMessage;
        private long lastProgress;

        StuckWriteCloser(long timeoutMillis) {
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            check = ctx.executor()
                    .scheduleAtFixedRate(() -> closeIfStuck(ctx), timeoutMillis, timeoutMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            check.cancel(false);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            check.cancel(false);
            ctx.fireChannelInactive();
        }

        /**
         * Runs on the channel's event loop. Stuck: bytes waiting, and no byte of them written to the socket since last
         * time (the same message at its head, no further into it). More bytes queued behind it are not progress.
         */
        private void closeIfStuck(ChannelHandlerContext ctx) {
            ChannelOutboundBuffer waiting = ctx.channel().unsafe().outboundBuffer();
            if (waiting == null) {
                return;
            }
            long pending = waiting.totalPendingWriteBytes();
            Object current = waiting.current();
            int message = System.identityHashCode(current);
            long progress = waiting.currentProgress();
            boolean stuck = pending > 0 && lastPending > 0 && message == lastMessage && progress == lastProgress;
            lastPending = pending;
            lastMessage = message;
            lastProgress = progress;
            if (stuck) {
                ctx.close();
            }
        }
    }
}
