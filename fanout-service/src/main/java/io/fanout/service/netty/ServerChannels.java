package io.fanout.service.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.DecoderException;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The Netty channel under each WebSocket session and SSE stream, so live frames can be written to it directly (the
 * {@code ws} and {@code sse} writers) rather than through a reactive stream per session. Every server connection is
 * kept in a {@link ChannelGroup} (it forgets closed channels by itself) and gets a handler that tells the channel's
 * writer when the channel can take writes again.
 */
@Component
public class ServerChannels implements NettyServerCustomizer {

    /** What to run when the channel becomes writable again. */
    public static final AttributeKey<Runnable> ON_WRITABLE = AttributeKey.valueOf("fanout.onWritable");

    private final ChannelGroup channels = new DefaultChannelGroup("fanout-connections", GlobalEventExecutor.INSTANCE);

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnConnection(connection -> {
            channels.add(connection.channel());
            connection.addHandlerLast("fanout.writability", WritabilityRelay.INSTANCE);
            connection.addHandlerLast("fanout.errors", ErrorLog.INSTANCE);
        });
    }

    /** The channel under {@code session}; fails when the server is not Reactor Netty. */
    public Channel channelOf(WebSocketSession session) {
        Channel channel =
                session instanceof ReactorNettyWebSocketSession netty ? channels.find(netty.getChannelId()) : null;
        if (channel == null) {
            throw new IllegalStateException("no Netty channel for WebSocket session " + session.getId());
        }
        return channel;
    }

    /** The channel under an HTTP request; fails when the server is not Reactor Netty. */
    public Channel channelOf(ServerHttpRequest request) {
        Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
        if (nativeRequest instanceof Connection connection) {
            return connection.channel();
        }
        throw new IllegalStateException("no Netty channel for request " + request.getId());
    }

    /** Reactor Netty's response under {@code response}, which knows whether its headers went out. */
    public HttpServerResponse nativeResponse(ServerHttpResponse response) {
        Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        if (nativeResponse instanceof HttpServerResponse netty) {
            return netty;
        }
        throw new IllegalStateException("not a Reactor Netty response: " + response.getClass());
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

    /**
     * Logs an exception that reached the end of a connection's pipeline, before Reactor Netty ends the connection
     * for it (a WebSocket with 1002 "Protocol error", logged at debug only): at warn with its stack trace, unless it
     * is the network's or the client's doing (an I/O error such as a reset, or bytes that do not decode).
     */
    @ChannelHandler.Sharable
    private static final class ErrorLog extends ChannelInboundHandlerAdapter {

        static final ErrorLog INSTANCE = new ErrorLog();

        private static final Logger log = LoggerFactory.getLogger(ServerChannels.class);

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof IOException || cause instanceof DecoderException) {
                log.debug("connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
            } else {
                log.warn(
                        "connection {}: unexpected error (Reactor Netty ends the connection for it)",
                        ctx.channel().remoteAddress(),
                        cause);
            }
            ctx.fireExceptionCaught(cause);
        }
    }
}
