package io.fanout.tools.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.Arrays;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.resources.LoopResources;

/**
 * Opens Server-Sent Events streams to fanout-service's {@code /sse}, as {@link WsConnector} opens WebSockets and with
 * the same {@link WsConnector.Listener}: connections are not pooled, the response body is taken off the Netty pipeline
 * before Reactor's bridge and split into events there; the {@code data} of each event (its lines joined by
 * {@code \n}) is handed to {@link WsConnector.Listener#text}, as a WebSocket text frame would be. Comments and events
 * without data are skipped. After {@code perSourceIp} connections the next ones bind to 127.0.0.x. Thread-safe; every
 * callback of one stream runs on its event-loop thread.
 */
public final class SseConnector {

    private final String base;
    private final SourceAddressClients clients;

    /** @param fanoutUrl e.g. {@code http://127.0.0.1:8081} (a {@code ws://} URL is read as {@code http://}) */
    public SseConnector(LoopResources loops, String fanoutUrl, int perSourceIp) {
        this.base = SourceAddressClients.trimmed(fanoutUrl.replaceFirst("^ws", "http"));
        this.clients = new SourceAddressClients(
                loops, base, perSourceIp, client -> client.headers(h -> h.set("Accept", "text/event-stream")));
    }

    /**
     * Connects {@code listener} to {@code /sse?query}; {@code up} completes with true once a 200 response's headers
     * arrived, false on any other answer, a failure, or no answer within {@code timeout}.
     */
    public WsConnector.Attempt connect(String query, WsConnector.Listener listener, Duration timeout) {
        Sinks.One<Boolean> up = Sinks.one();
        Mono<Void> connection = clients.next()
                .get()
                .uri(base + "/sse?" + query)
                .responseConnection((response, conn) -> {
                    if (response.status().code() != 200) {
                        listener.closeStatus(
                                response.status().code(), response.status().reasonPhrase());
                        up.tryEmitValue(false);
                        return conn.inbound().receive().then();
                    }
                    SseEvents events = new SseEvents(listener);
                    conn.addHandlerLast("sse-events", events);
                    listener.opened();
                    up.tryEmitValue(true);
                    // content decoded before the handler above was in place arrives here instead
                    return conn.inbound().receive().doOnNext(events::append).then();
                })
                .then();
        return WsConnector.Attempt.watch(connection, up, listener, timeout);
    }

    /** Splits the response body into events, off the pipeline: no Flux element per chunk. */
    private static final class SseEvents extends ChannelInboundHandlerAdapter {
        private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[4096]);
        private final WsConnector.Listener listener;
        /** The part of a line not yet ended, and the data lines of the event under way. */
        private byte[] line = new byte[1024];

        private int lineLength;
        private byte[] data = new byte[1024];
        private int dataLength = -1; // -1: the event has no data yet

        SseEvents(WsConnector.Listener listener) {
            this.listener = listener;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpContent content) {
                try {
                    append(content.content());
                } finally {
                    content.release();
                }
                if (msg instanceof LastHttpContent) {
                    ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT); // the response ends
                }
                return;
            }
            ctx.fireChannelRead(msg);
        }

        /**
         * Appends {@code bytes} to the event under way: line ends are found with {@link ByteBuf#indexOf} (a word at
         * a time) and each line's bytes copied in one go, not read byte by byte.
         */
        void append(ByteBuf bytes) {
            int i = bytes.readerIndex();
            int end = bytes.writerIndex();
            while (i < end) {
                int lf = bytes.indexOf(i, end, (byte) '\n');
                int stop = lf < 0 ? end : lf;
                int n = stop - i;
                if (lineLength + n > line.length) {
                    line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
                }
                bytes.getBytes(i, line, lineLength, n);
                lineLength += n;
                if (lf < 0) {
                    return;
                }
                if (lineLength > 0 && line[lineLength - 1] == '\r') {
                    lineLength--; // a CRLF line end
                }
                endLine();
                i = lf + 1;
            }
        }

        private void endLine() {
            if (lineLength == 0) {
                if (dataLength >= 0) {
                    byte[] a = SCRATCH.get();
                    if (a.length < dataLength) {
                        a = new byte[dataLength];
                        SCRATCH.set(a);
                    }
                    System.arraycopy(data, 0, a, 0, dataLength);
                    int n = dataLength;
                    dataLength = -1;
                    listener.text(a, n);
                }
                return;
            }
            if (lineLength >= 5
                    && line[0] == 'd'
                    && line[1] == 'a'
                    && line[2] == 't'
                    && line[3] == 'a'
                    && line[4] == ':') {
                int from = lineLength > 5 && line[5] == ' ' ? 6 : 5;
                int n = lineLength - from;
                int need = (dataLength >= 0 ? dataLength + 1 : 0) + n;
                if (need > data.length) {
                    data = Arrays.copyOf(data, Math.max(data.length * 2, need));
                }
                if (dataLength >= 0) {
                    data[dataLength++] = '\n';
                } else {
                    dataLength = 0;
                }
                System.arraycopy(line, from, data, dataLength, n);
                dataLength += n;
            }
            lineLength = 0;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            listener.ended(null);
            ctx.fireChannelInactive();
        }
    }
}
