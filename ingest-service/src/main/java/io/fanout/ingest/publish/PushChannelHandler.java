package io.fanout.ingest.publish;

import io.fanout.common.publish.EventPublisher;
import io.fanout.common.publish.InvalidPublishException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * Serves {@code POST /push} on one HTTP/1.1 connection, in the channel's pipeline right after Reactor Netty's HTTP
 * codec: a request it takes is read, published ({@link PushExchange}) and answered here, without Reactor Netty's
 * per-request operations (which turn the channel's reads off and on again around each request, two {@code epoll_ctl}
 * calls) or a reactive chain per request. Everything else goes on to Reactor Netty and WebFlux unchanged.
 *
 * <p>It takes only requests it answers exactly as WebFlux's {@link PushController} would: HTTP/1.1 {@code POST} to
 * {@code /push} (a query is allowed), keep-alive, a JSON body within {@code fanout.publish.max-body-size} if its
 * length is declared, accepting JSON, and no cross-origin request when CORS is configured; {@code Expect:
 * 100-continue} is answered here. Another content type or {@code Accept}, a preflight, {@code Connection: close},
 * HTTP/1.0, a declared body over the limit or a request the codec could not decode go on to WebFlux, whose answers
 * (415, 406, 413, CORS) stay where they are. A streamed body that passes the limit is answered 413 here, the rest of
 * it read and dropped, and the connection closed.
 *
 * <p>Answers leave in request order: requests pipelined behind one of this handler's are held until its answer is
 * written, and a request behind one that Reactor Netty serves goes to Reactor Netty too, until that answer's last
 * part was written.
 */
final class PushChannelHandler extends ChannelDuplexHandler {

    /** How many body limits of a refused body are read and dropped at most before the connection closes. */
    static final int DISCARD_LIMITS = 4;

    private final PushExchange exchange;
    private final PushTraffic traffic;

    /** A request this handler took: when it arrived, and the warm-up's publisher if it is a rehearsal's. */
    private record Taken(HttpRequest request, long startedNanos, EventPublisher rehearsal) {}

    /** This handler's request whose body is being read; {@code null} when none. */
    private Taken reading;

    private BodyBytes body;
    /** A request of this handler was read in full and its answer is not written yet. */
    private boolean answering;
    /** What arrived behind this handler's request, held until its answer is written. */
    private ArrayDeque<Object> held;
    /** Inbound content belongs to a request Reactor Netty serves. */
    private boolean forwardingBody;
    /** Requests handed to Reactor Netty whose answer was not written in full yet. */
    private int forwardedOpen;
    /** The connection closes once the answer is written (a body over the limit, or one the codec could not read). */
    private boolean closing;
    /** A refused body's remaining parts are read and dropped until its end, then the connection closes. */
    private boolean discarding;

    private long discardedBytes;
    private ChannelFuture closingAnswer;

    PushChannelHandler(PushExchange exchange, PushTraffic traffic) {
        this.exchange = exchange;
        this.traffic = traffic;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            discard(msg);
        } else if (forwardingBody && !(msg instanceof HttpRequest)) {
            forwardingBody = !(msg instanceof LastHttpContent);
            ctx.fireChannelRead(msg);
        } else if (answering || held != null) {
            hold(ctx, msg);
        } else if (reading != null) {
            readBody(ctx, msg);
        } else if (msg instanceof HttpRequest request && forwardedOpen == 0 && traffic.takes(request)) {
            start(ctx, request);
            if (msg instanceof HttpContent) {
                readBody(ctx, msg);
            }
        } else {
            if (msg instanceof HttpRequest) {
                forwardedOpen++;
                forwardingBody = !(msg instanceof LastHttpContent);
            }
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if ((reading != null || discarding) && !ctx.channel().config().isAutoRead()) {
            ctx.read(); // Reactor Netty reads on demand between its requests; this request's body is still due
        }
        ctx.fireChannelReadComplete();
    }

    /** Counts the answers Reactor Netty writes, so that a request pipelined behind one of them waits for it. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent
                && forwardedOpen > 0
                && !(msg instanceof HttpResponse response
                        && response.status().codeClass() == HttpStatusClass.INFORMATIONAL)) {
            forwardedOpen--;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        if (reading != null) { // gone before its body arrived: it will not be answered
            traffic.closed();
        }
        reading = null;
        body = null;
        ctx.fireChannelInactive();
    }

    private void start(ChannelHandlerContext ctx, HttpRequest request) {
        reading = new Taken(request, System.nanoTime(), exchange.rehearsalFor(request.headers()));
        body = new BodyBytes(HttpUtil.getContentLength(request, 0L), traffic.maxBodyBytes());
        traffic.opened();
        if (HttpUtil.is100ContinueExpected(request)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        }
    }

    private void readBody(ChannelHandlerContext ctx, Object msg) {
        Taken taken = reading;
        try {
            if (!(msg instanceof HttpContent content) || content.decoderResult().isFailure()) {
                closing = true; // the codec could not read the body: nothing after it can be trusted
                finish(ctx, taken, exchange.refusal(new InvalidPublishException("the request body could not be read")));
                return;
            }
            try {
                body.add(content.content());
            } catch (BodyTooLargeException tooLarge) {
                closing = true;
                discarding = !(content instanceof LastHttpContent); // read the rest, so the client reads the answer
                finish(ctx, taken, exchange.refusal(tooLarge));
                return;
            }
            if (content instanceof LastHttpContent) {
                byte[] bytes = body.bytes();
                finish(ctx, taken, null);
                HttpRequest request = taken.request();
                exchange.answer(request.headers(), request.uri(), bytes, taken.rehearsal())
                        .subscribe(answer -> answered(ctx, taken, answer));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The request was read (or refused while reading); {@code refusal}, when given, is written at once. */
    private void finish(ChannelHandlerContext ctx, Taken taken, PushAnswer refusal) {
        reading = null;
        body = null;
        answering = true;
        if (refusal != null) {
            answered(ctx, taken, refusal);
        }
    }

    /** Writes {@code answer} on the channel's event loop, then serves what was held behind it. */
    private void answered(ChannelHandlerContext ctx, Taken taken, PushAnswer answer) {
        if (!ctx.executor().inEventLoop()) {
            try {
                ctx.executor().execute(() -> answered(ctx, taken, answer));
            } catch (RejectedExecutionException stopped) { // the server is gone, and the connection with it
                traffic.closed();
            }
            return;
        }
        traffic.closed();
        if (!ctx.channel().isActive()) {
            return;
        }
        if (taken.rehearsal() == null) { // counted before it is on the wire: a client that has its answer sees it
            exchange.timed(answer.status(), taken.startedNanos());
        }
        ChannelFuture written = ctx.writeAndFlush(response(answer, closing));
        if (closing) {
            closingAnswer = written;
            if (!discarding) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }
        answering = false;
        if (!closing) {
            serveHeld(ctx);
        }
    }

    private static FullHttpResponse response(PushAnswer answer, boolean close) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()),
                Unpooled.wrappedBuffer(answer.body()));
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        for (Map.Entry<String, String> header : answer.headers().entrySet()) {
            headers.set(header.getKey(), header.getValue());
        }
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /**
     * Drops what arrives after a refused body; closes the connection after the answer once the body ended, or once
     * {@link #DISCARD_LIMITS} times the body limit more was dropped.
     */
    private void discard(Object msg) {
        try {
            if (!discarding) {
                return;
            }
            if (msg instanceof HttpContent content) {
                discardedBytes += content.content().readableBytes();
            }
            if (msg instanceof LastHttpContent || discardedBytes > (long) DISCARD_LIMITS * traffic.maxBodyBytes()) {
                discarding = false;
                closingAnswer.addListener(ChannelFutureListener.CLOSE);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void hold(ChannelHandlerContext ctx, Object msg) {
        if (held == null) {
            held = new ArrayDeque<>();
            ctx.channel().config().setAutoRead(false); // read no further until the answers before are written
        }
        held.add(msg);
    }

    /**
     * Reads on after an answer (also when nothing was held: Reactor Netty may have left reads off after a request of
     * its own), then serves what was held behind it, until one of them is this handler's again.
     */
    private void serveHeld(ChannelHandlerContext ctx) {
        ArrayDeque<Object> waiting = held;
        held = null;
        ctx.channel().config().setAutoRead(true);
        if (waiting == null) {
            return;
        }
        Object msg;
        while (!answering && (msg = waiting.poll()) != null) {
            channelRead(ctx, msg); // never holds: nothing is answering, and held is empty
        }
        if (!waiting.isEmpty()) { // behind another answer of this handler now
            held = waiting;
            ctx.channel().config().setAutoRead(false);
        }
        ctx.fireChannelReadComplete();
    }

    private void releaseHeld() {
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
            held = null;
        }
    }
}
