package io.fanout.tools.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A deliberately small HTTP/1.1 keep-alive client on plain Netty: a pool of at most N
 * connections, one request in flight per connection, no Reactor operators per request. It exists
 * because the generator must cost the machine far less than the server it measures. Thread-safe;
 * callbacks run on the connection's event-loop thread.
 */
public final class RawHttp {

    /**
     * A response; status 0 = no HTTP answer (error says why). retryAfter is the Retry-After header, or null.
     */
    public record Resp(int status, byte[] body, String error, String retryAfter) {

        /** No HTTP answer. */
        public static Resp failed(String error) {
            return new Resp(0, new byte[0], error, null);
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** How long a request may wait for its response unless the constructor says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    private final long timeoutNanos;

    private final Bootstrap bootstrap;
    private final String host;
    private final int port;
    private final String hostHeader;
    private final String pathPrefix;
    private final int max;
    private final ArrayDeque<Conn> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private boolean closed;
    private int open;
    private volatile String authorization;

    private record Waiter(FullHttpRequest req, Consumer<Resp> cb) {}

    public RawHttp(EventLoopGroup group, String baseUrl, int maxConnections) {
        this(group, baseUrl, maxConnections, DEFAULT_TIMEOUT);
    }

    /** A response not complete within timeout counts as no answer and its connection is closed. */
    public RawHttp(EventLoopGroup group, String baseUrl, int maxConnections, Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        URI u = URI.create(baseUrl);
        this.host = u.getHost();
        this.port = u.getPort() > 0 ? u.getPort() : 80;
        this.hostHeader = host + ":" + port;
        String p = u.getRawPath() == null ? "" : u.getRawPath();
        this.pathPrefix = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
        this.max = Math.max(1, maxConnections);
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 << 20), new Conn());
                    }
                });
    }

    /** Sends {@code Authorization: Bearer <token>} with every request from now on (null or blank: none). */
    public RawHttp bearer(String token) {
        this.authorization = token == null || token.isBlank() ? null : "Bearer " + token;
        return this;
    }

    /** POST a JSON body; cb gets the response. */
    public void post(String path, byte[] json, Consumer<Resp> cb) {
        ByteBuf body = Unpooled.wrappedBuffer(json);
        FullHttpRequest req =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, pathPrefix + path, body);
        req.headers()
                .set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        if (authorization != null) {
            req.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        send(req, cb);
    }

    /** POST a JSON body; the future completes with the response (never exceptionally). */
    public CompletableFuture<Resp> post(String path, byte[] json) {
        CompletableFuture<Resp> answer = new CompletableFuture<>();
        post(path, json, answer::complete);
        return answer;
    }

    /** GET; the future completes with the response (never exceptionally). */
    public CompletableFuture<Resp> get(String path) {
        CompletableFuture<Resp> answer = new CompletableFuture<>();
        get(path, answer::complete);
        return answer;
    }

    public void get(String path, Consumer<Resp> cb) {
        FullHttpRequest req = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.GET, pathPrefix + path, Unpooled.EMPTY_BUFFER);
        req.headers().set(HttpHeaderNames.HOST, hostHeader).setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (authorization != null) {
            req.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        send(req, cb);
    }

    private void send(FullHttpRequest req, Consumer<Resp> cb) {
        Conn c;
        boolean connect = false;
        synchronized (this) {
            c = idle.pollLast();
            if (c == null) {
                if (open < max) {
                    open++;
                    connect = true;
                } else {
                    waiters.add(new Waiter(req, cb));
                    return;
                }
            }
        }
        if (c != null) {
            c.write(req, cb);
        } else if (connect) {
            bootstrap.connect(host, port).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    f.channel().pipeline().get(Conn.class).write(req, cb);
                } else {
                    synchronized (RawHttp.this) {
                        open--;
                    }
                    req.release();
                    cb.accept(Resp.failed("connect: " + f.cause().getClass().getSimpleName()));
                    next();
                }
            });
        }
    }

    /** A connection became free: give it the oldest waiter, else park it (or close it, once this client is closed). */
    private void released(Conn c) {
        Waiter w;
        synchronized (this) {
            w = waiters.poll();
            if (w == null && !closed) {
                idle.add(c);
                return;
            }
        }
        if (w != null) {
            c.write(w.req, w.cb);
        } else {
            c.ch.close();
        }
    }

    /**
     * Closes the idle connections, and each busy one once its answer came; a request after this still gets
     * an answer on a connection of its own, closed after it. A load generator holding tens of thousands of sockets
     * closes the pools it no longer needs.
     */
    public void close() {
        List<Conn> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(idle);
            idle.clear();
        }
        for (Conn c : toClose) {
            c.ch.close();
        }
    }

    /** A connection went away: a waiter, if any, gets a new one. */
    private void next() {
        Waiter w;
        synchronized (this) {
            w = waiters.poll();
        }
        if (w != null) {
            send(w.req, w.cb);
        }
    }

    /** The connection's handler: one request in flight; the response goes to its callback. */
    private final class Conn extends SimpleChannelInboundHandler<FullHttpResponse> {
        private Channel ch;
        private io.netty.util.concurrent.ScheduledFuture<?> timer;
        private Consumer<Resp> pending;
        private long sentAt;
        private boolean gone;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ch = ctx.channel();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            timer = ch.eventLoop()
                    .scheduleAtFixedRate(
                            () -> {
                                if (pending != null && System.nanoTime() - sentAt > timeoutNanos) {
                                    fail("response timeout");
                                    ch.close();
                                }
                            },
                            1,
                            1,
                            TimeUnit.SECONDS);
            ctx.fireChannelActive();
        }

        void write(FullHttpRequest req, Consumer<Resp> cb) {
            if (ch.eventLoop().inEventLoop()) {
                doWrite(req, cb);
            } else {
                ch.eventLoop().execute(() -> doWrite(req, cb));
            }
        }

        private void doWrite(FullHttpRequest req, Consumer<Resp> cb) {
            if (gone) {
                req.release();
                cb.accept(Resp.failed("connection closed"));
                return;
            }
            pending = cb;
            sentAt = System.nanoTime();
            ch.writeAndFlush(req, ch.voidPromise());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
            Consumer<Resp> cb = pending;
            pending = null;
            ByteBuf c = res.content();
            byte[] body = new byte[c.readableBytes()];
            c.getBytes(c.readerIndex(), body);
            boolean keep = !res.headers().contains(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
            if (keep) {
                released(this);
            }
            if (cb != null) {
                cb.accept(
                        new Resp(res.status().code(), body, null, res.headers().get(HttpHeaderNames.RETRY_AFTER)));
            }
            if (!keep) {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            gone = true;
            if (timer != null) {
                timer.cancel(false);
            }
            synchronized (RawHttp.this) {
                idle.remove(this);
                open--;
            }
            fail("connection closed");
            next();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause.getClass().getSimpleName());
            ctx.close();
        }

        private void fail(String why) {
            Consumer<Resp> cb = pending;
            pending = null;
            if (cb != null) {
                cb.accept(Resp.failed(why));
            }
        }
    }
}
