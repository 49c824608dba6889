package io.fanout.service.ws;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;
import reactor.netty.http.server.HttpServer;

/**
 * The Netty channel under each WebSocket session, so live frames can be written to it directly
 * ({@link SocketWriter}) rather than through a reactive stream per session. Every server connection is kept in a
 * {@link ChannelGroup} (it forgets closed channels by itself) and gets a handler that tells the channel's writer when
 * the channel can take writes again.
 */
@Component
class SocketChannels implements NettyServerCustomizer {

    /** What to run when the channel becomes writable again. */
    static final AttributeKey<Runnable> ON_WRITABLE = AttributeKey.valueOf("fanout.onWritable");

    private final ChannelGroup channels = new DefaultChannelGroup("fanout-connections", GlobalEventExecutor.INSTANCE);

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnConnection(connection -> {
            channels.add(connection.channel());
            connection.addHandlerLast("fanout.writability", WritabilityRelay.INSTANCE);
        });
    }

    /** The channel under {@code session}; fails when the server is not Reactor Netty. */
    Channel channelOf(WebSocketSession session) {
        Channel channel =
                session instanceof ReactorNettyWebSocketSession netty ? channels.find(netty.getChannelId()) : null;
        if (channel == null) {
            throw new IllegalStateException("no Netty channel for WebSocket session " + session.getId());
        }
        return channel;
    }

    @ChannelHandler.Sharable
    private static final class WritabilityRelay extends ChannelInboundHandlerAdapter {

        static final WritabilityRelay INSTANCE = new WritabilityRelay();

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                Runnable onWritable = ctx.channel().attr(ON_WRITABLE).get();
                if (onWritable != null) {
                    onWritable.run();
                }
            }
            ctx.fireChannelWritabilityChanged();
        }
    }
}
