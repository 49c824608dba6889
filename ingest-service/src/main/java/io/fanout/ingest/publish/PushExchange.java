package io.fanout.ingest.publish;

import io.fanout.common.error.FanoutException;
import io.fanout.common.error.ProblemJson;
import io.fanout.common.publish.EventPublisher;
import io.fanout.common.publish.PublishRequest;
import io.fanout.common.publish.PublishRequestParser;
import io.fanout.common.security.ChannelForbiddenException;
import io.fanout.common.security.ChannelGrants;
import io.fanout.common.security.TokenVerifier;
import io.fanout.ingest.warmup.Rehearsal;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * One {@code POST /push} read in full, from its headers and body to its answer: the token checked with the same
 * decoder and wording as the security filter chain, the body parsed, the channel's grant checked, the event handed to
 * the {@link EventPublisher} and the ack written as prebuilt JSON; refusals are the same problem+json as
 * {@link PushController}'s, with {@link PublishErrorHandler}'s headers. {@link PushChannelHandler} serves it.
 *
 * <p>The start-up warm-up's requests ({@link Rehearsal}) go to the warm-up's own publisher, which writes to the warm-up
 * topic only; they are neither token-checked nor timed.
 */
@Component
class PushExchange {

    static final String PATH = "/push";

    private final EventPublisher publisher;
    private final TokenVerifier tokens;
    private final PublishErrorHandler errors;
    private final Rehearsal rehearsal;
    private final MeterRegistry meters;
    private final Map<Integer, Timer> timers = new ConcurrentHashMap<>();

    PushExchange(
            EventPublisher publisher,
            TokenVerifier tokens,
            PublishErrorHandler errors,
            Rehearsal rehearsal,
            MeterRegistry meters) {
        this.publisher = publisher;
        this.tokens = tokens;
        this.errors = errors;
        this.rehearsal = rehearsal;
        this.meters = meters;
    }

    /**
     * The start-up warm-up's publisher when {@code headers} mark one of its requests (which is then neither
     * token-checked nor timed); {@code null} for every other request.
     */
    EventPublisher rehearsalFor(io.netty.handler.codec.http.HttpHeaders headers) {
        return rehearsal.publisherFor(headers);
    }

    /**
     * The answer to a {@code POST /push} with these headers, URI and body, published to {@code rehearsing} when it is a
     * rehearsal's ({@link #rehearsalFor}); never fails (refusals, and anything thrown on the way, are answers).
     */
    Mono<PushAnswer> answer(
            io.netty.handler.codec.http.HttpHeaders nettyHeaders, String uri, byte[] body, EventPublisher rehearsing) {
        return Mono.defer(() -> publish(nettyHeaders, uri, body, rehearsing))
                .onErrorResume(error -> Mono.just(refusal(FanoutException.of(error))));
    }

    private Mono<PushAnswer> publish(
            io.netty.handler.codec.http.HttpHeaders nettyHeaders, String uri, byte[] body, EventPublisher rehearsing) {
        HttpHeaders headers = new HttpHeaders(new Netty4HeadersAdapter(nettyHeaders));
        String key = headers.getFirst(PushController.IDEMPOTENCY_KEY);
        EventPublisher target = rehearsing == null ? publisher : rehearsing;
        Mono<ChannelGrants> grants =
                rehearsing == null ? tokens.authorizeHttp(headers, () -> queryOf(uri)) : Mono.just(ChannelGrants.ALL);
        return grants.flatMap(granted -> {
                    PublishRequest one = PublishRequestParser.parseOne(body, key);
                    String refused = granted.refusedPublish(List.of(one.channel()));
                    if (refused != null) {
                        return Mono.error(new ChannelForbiddenException(refused));
                    }
                    return target.publish(one);
                })
                .map(ack -> new PushAnswer(200, MediaType.APPLICATION_JSON_VALUE, ack.toJson(), Map.of()));
    }

    /** The problem+json answer to {@code refusal}. */
    PushAnswer refusal(FanoutException refusal) {
        Map<String, String> headers = new LinkedHashMap<>();
        errors.headersOf(refusal).forEach((name, values) -> headers.put(name, String.join(", ", values)));
        return new PushAnswer(
                refusal.status(), MediaType.APPLICATION_PROBLEM_JSON_VALUE, ProblemJson.of(refusal, PATH), headers);
    }

    /** Counts a request in {@code fanout.push.requests} from its arrival until its answer is written. */
    void timed(int status, long startedNanos) {
        timers.computeIfAbsent(
                        status,
                        code -> Timer.builder("fanout.push.requests")
                                .description("POST /push requests served by ingest's own route, until their answer"
                                        + " is written")
                                .tag("uri", PATH)
                                .tag("status", Integer.toString(code))
                                .register(meters))
                .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    /** The request's URI for reading a token from its query; one that does not parse has none. */
    private static URI queryOf(String uri) {
        try {
            return URI.create(uri);
        } catch (IllegalArgumentException unparsable) {
            return URI.create(PATH);
        }
    }
}
