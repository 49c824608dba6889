package io.fanout.ingest.publish;

import io.fanout.common.error.FanoutException;
import io.fanout.common.error.ProblemJson;
import io.fanout.common.publish.EventPublisher;
import io.fanout.common.publish.PublishRequest;
import io.fanout.common.publish.PublishRequestParser;
import io.fanout.common.security.ChannelForbiddenException;
import io.fanout.common.security.ChannelGrants;
import io.fanout.common.security.CorsProperties;
import io.fanout.common.security.TokenVerifier;
import io.fanout.ingest.warmup.Rehearsal;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Publisher;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code POST /push} served by Reactor Netty directly, ahead of WebFlux: one publish is the hot path of the HTTP API,
 * and WebFlux's dispatch (handler mapping, argument resolution, result handling, the security filter chain, the
 * {@code http.server.requests} observation) cost more CPU than the publish itself. Here a request is read once
 * ({@link RequestBodyReader}, within {@code fanout.publish.max-body-size}), its token checked with the same decoder and wording as the filter
 * chain, the event handed to the {@link EventPublisher} and the ack written as prebuilt JSON.
 *
 * <p>It takes only the requests it answers exactly as {@link PushController} would: {@code POST} to {@code /push}
 * with a JSON body, accepting JSON, and no cross-origin request to check when CORS is configured. Everything else
 * (another content type, an {@code Accept} without JSON, a preflight) goes on to WebFlux, whose answers (415, 406,
 * CORS) stay where they are. Refusals are the same problem+json, with {@link PublishErrorHandler}'s headers
 * ({@code WWW-Authenticate}, {@code Retry-After}). Each request is timed in {@code fanout.push.requests} (tags {@code uri},
 * {@code status}), since WebFlux's {@code http.server.requests} no longer sees it.
 *
 * <p>The start-up warm-up's requests ({@link Rehearsal}) take this same path to a publisher that writes nothing; they
 * are neither token-checked nor timed.
 */
@Component
class PushRoute implements NettyRouteProvider {

    static final String PATH = "/push";

    private final EventPublisher publisher;
    private final TokenVerifier tokens;
    private final RequestBodyReader bodyReader;
    private final PublishErrorHandler errors;
    private final Rehearsal rehearsal;
    private final boolean corsConfigured;
    private final MeterRegistry meters;
    private final Map<Integer, Timer> timers = new ConcurrentHashMap<>();

    PushRoute(
            EventPublisher publisher,
            TokenVerifier tokens,
            RequestBodyReader bodyReader,
            PublishErrorHandler errors,
            Rehearsal rehearsal,
            CorsProperties cors,
            MeterRegistry meters) {
        this.publisher = publisher;
        this.tokens = tokens;
        this.bodyReader = bodyReader;
        this.errors = errors;
        this.rehearsal = rehearsal;
        this.corsConfigured = !cors.allowedOrigins().isEmpty();
        this.meters = meters;
    }

    @Override
    public HttpServerRoutes apply(HttpServerRoutes routes) {
        return routes.route(this::takes, this::push);
    }

    /** Whether this route answers {@code request} (else WebFlux does). */
    boolean takes(HttpServerRequest request) {
        if (!HttpMethod.POST.equals(request.method()) || !isPushPath(request.uri())) {
            return false;
        }
        io.netty.handler.codec.http.HttpHeaders headers = request.requestHeaders();
        return isJson(headers.get(HttpHeaderNames.CONTENT_TYPE))
                && acceptsJson(headers.get(HttpHeaderNames.ACCEPT))
                && !(corsConfigured && headers.contains(HttpHeaderNames.ORIGIN));
    }

    static boolean isPushPath(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri.equals(PATH) : query == PATH.length() && uri.startsWith(PATH);
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

    private Publisher<Void> push(HttpServerRequest request, HttpServerResponse response) {
        long started = System.nanoTime();
        HttpHeaders headers = new HttpHeaders(new Netty4HeadersAdapter(request.requestHeaders()));
        String key = headers.getFirst(PushController.IDEMPOTENCY_KEY);
        EventPublisher rehearsing = rehearsal.publisherFor(request.requestHeaders());
        EventPublisher target = rehearsing == null ? publisher : rehearsing;
        Mono<ChannelGrants> grants = rehearsing == null
                ? tokens.authorizeHttp(headers, () -> queryOf(request.uri()))
                : Mono.just(ChannelGrants.ALL);
        return grants.zipWith(bodyReader.read(request))
                .flatMap(grantsAndBody -> {
                    PublishRequest one = PublishRequestParser.parseOne(grantsAndBody.getT2(), key);
                    String refused = grantsAndBody.getT1().refusedPublish(List.of(one.channel()));
                    if (refused != null) {
                        return Mono.error(new ChannelForbiddenException(refused));
                    }
                    return target.publish(one);
                })
                .map(ack -> answer(response, HttpResponseStatus.OK, MediaType.APPLICATION_JSON_VALUE, ack.toJson()))
                .onErrorResume(error -> Mono.just(refuse(response, FanoutException.of(error))))
                .flatMap(body -> response.sendByteArray(Mono.just(body)).then())
                .doFinally(signal -> {
                    if (rehearsing == null) {
                        timer(response.status().code()).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    }
                });
    }

    /** The request's URI for reading a token from its query; one that does not parse has none. */
    private static URI queryOf(String uri) {
        try {
            return URI.create(uri);
        } catch (IllegalArgumentException unparsable) {
            return URI.create(PATH);
        }
    }

    private byte[] refuse(HttpServerResponse response, FanoutException refusal) {
        errors.headersOf(refusal).forEach((name, values) -> response.header(name, String.join(", ", values)));
        return answer(
                response,
                HttpResponseStatus.valueOf(refusal.status()),
                MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                ProblemJson.of(refusal, PATH));
    }

    private static byte[] answer(HttpServerResponse response, HttpResponseStatus status, String type, byte[] body) {
        response.status(status)
                .header(HttpHeaderNames.CONTENT_TYPE, type)
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
        return body;
    }

    private Timer timer(int status) {
        return timers.computeIfAbsent(
                status,
                code -> Timer.builder("fanout.push.requests")
                        .description("POST /push requests served by the direct route, until their answer was written")
                        .tag("uri", PATH)
                        .tag("status", Integer.toString(code))
                        .register(meters));
    }
}
