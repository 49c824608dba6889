package io.fanout.ingest.publish;

import io.fanout.common.publish.PublishProperties;
import io.fanout.common.security.CorsProperties;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Ingest's own {@code POST /push} traffic: puts a {@link PushChannelHandler} on every HTTP connection, right after
 * Reactor Netty's codec, and says which requests it takes ({@link #takes}). On shutdown it stops taking new ones
 * (they go to WebFlux, whose graceful shutdown waits for them) and waits up to {@link #DRAIN} for the open ones to be
 * answered, before the web server stops.
 */
@Component
class PushTraffic implements NettyServerCustomizer, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PushTraffic.class);

    /** Longest wait at shutdown for open requests to be answered (above the producer's delivery timeout). */
    static final Duration DRAIN = Duration.ofSeconds(10);

    private final PushExchange exchange;
    private final int maxBodyBytes;
    private final boolean corsConfigured;
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean taking;

    PushTraffic(PushExchange exchange, PublishProperties publish, CorsProperties cors) {
        this.exchange = exchange;
        this.maxBodyBytes = publish.maxBodyBytes();
        this.corsConfigured = !cors.allowedOrigins().isEmpty();
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnChannelInit((observer, channel, remote) -> {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(NettyPipeline.HttpCodec) != null) {
                pipeline.addAfter(NettyPipeline.HttpCodec, "fanout.push", new PushChannelHandler(exchange, this));
            } else {
                log.warn("no HTTP/1.1 codec in {}: POST /push goes through WebFlux", pipeline.names());
            }
        });
    }

    /** Whether this request is ingest's to serve (else Reactor Netty and WebFlux serve it). */
    boolean takes(HttpRequest request) {
        if (!taking
                || request.decoderResult().isFailure()
                || !HttpMethod.POST.equals(request.method())
                || !HttpVersion.HTTP_1_1.equals(request.protocolVersion())
                || !isPushPath(request.uri())
                || !HttpUtil.isKeepAlive(request)
                || hasOtherExpectation(request)) {
            return false;
        }
        HttpHeaders headers = request.headers();
        long declared;
        try {
            declared = HttpUtil.getContentLength(request, -1L);
        } catch (NumberFormatException unreadable) {
            return false;
        }
        // an Upgrade (Java's HttpClient asks for h2c) is ignored, as Reactor Netty ignores it with HTTP/1.1 only
        return declared <= maxBodyBytes
                && isJson(headers.get(HttpHeaderNames.CONTENT_TYPE))
                && acceptsJson(headers.get(HttpHeaderNames.ACCEPT))
                && !(corsConfigured && headers.contains(HttpHeaderNames.ORIGIN));
    }

    /** An {@code Expect} other than {@code 100-continue} (WebFlux answers it). */
    private static boolean hasOtherExpectation(HttpRequest request) {
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        return expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
    }

    int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** A request was taken; {@link #closed} follows once it was answered (or its connection went). */
    void opened() {
        open.incrementAndGet();
    }

    void closed() {
        open.decrementAndGet();
    }

    static boolean isPushPath(String uri) {
        int query = uri.indexOf('?');
        return query < 0
                ? uri.equals(PushExchange.PATH)
                : query == PushExchange.PATH.length() && uri.startsWith(PushExchange.PATH);
    }

    /** {@code application/json}, with parameters or not (what {@code consumes} matches), and nothing else. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int end = contentType.indexOf(';');
        String type = (end < 0 ? contentType : contentType.substring(0, end)).trim();
        return type.equalsIgnoreCase(MediaType.APPLICATION_JSON_VALUE);
    }

    /** No {@code Accept}, or one that JSON satisfies (else WebFlux answers 406). */
    static boolean acceptsJson(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        try {
            for (MediaType type : MediaType.parseMediaTypes(accept)) {
                if (type.getQualityValue() > 0 && type.isCompatibleWith(MediaType.APPLICATION_JSON)) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException unparsable) {
            return false;
        }
    }

    @Override
    public void start() {
        taking = true;
    }

    /** Stops taking requests and waits (bounded) for the open ones to be answered. */
    @Override
    public void stop() {
        taking = false;
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (open.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (open.get() > 0) {
            log.warn("{} POST /push requests were still waiting for Kafka after {}", open.get(), DRAIN);
        }
    }

    @Override
    public boolean isRunning() {
        return taking;
    }

    /** Stops before the web server's graceful shutdown (a lower phase), so it drains first. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
