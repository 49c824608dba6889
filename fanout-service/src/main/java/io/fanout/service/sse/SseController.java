package io.fanout.service.sse;

import io.fanout.common.security.ChannelAccess;
import io.fanout.service.netty.ServerChannels;
import io.fanout.service.subscribe.InvalidSubscribeException;
import io.fanout.service.subscribe.SessionEnd;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.SubscribeRequestParser;
import io.fanout.service.subscribe.Subscription;
import io.fanout.service.subscribe.Subscriptions;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * {@code GET /sse?channel=…}: the same events and cursors as {@code /events}, as Server-Sent Events, through the same
 * catch-up {@link Subscription} (a live-only stream costs what a live-only WebSocket costs), written straight to the
 * connection on its event loop by an {@link SseWriter}, each live event's JSON the shared bytes of the event (WebFlux
 * writes only the headers with a first {@code :subscribed} comment, the heartbeats and the final event). Each event carries an
 * {@code id}, the stream's position after it ({@link EventIds}), that a reconnecting {@code EventSource} sends back as
 * {@code Last-Event-ID}; that header, when present, is the cursor. A stream that falls behind catches up from the log
 * ({@code event: catching-up}, then {@code event: live}). When the server ends a stream (the log unavailable, too far
 * behind, the token expired) it sends {@code event: error} with a {@code retry:} and completes, so the browser
 * reconnects: a refusal after the request was accepted is never a non-200, which an {@code EventSource} would not
 * retry.
 */
@RestController
class SseController {

    private final SubscribeRequestParser requestParser;
    private final Subscriptions subscriptions;
    private final SseProperties properties;
    private final ChannelAccess access;
    private final ServerChannels serverChannels;
    private final SseEncoder encoder;

    SseController(
            SubscribeRequestParser requestParser,
            Subscriptions subscriptions,
            SseProperties properties,
            ChannelAccess access,
            ServerChannels serverChannels) {
        this.serverChannels = serverChannels;
        this.encoder = new SseEncoder(properties.retry());
        this.access = access;
        this.requestParser = requestParser;
        this.subscriptions = subscriptions;
        this.properties = properties;
    }

    @GetMapping(path = "/sse", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<String>> sse(ServerHttpRequest request, ServerHttpResponse response, Principal principal) {
        MultiValueMap<String, String> query = new LinkedMultiValueMap<>(request.getQueryParams());
        String lastEventId = request.getHeaders().getFirst("Last-Event-ID");
        if (lastEventId != null && !lastEventId.isBlank()) {
            query.remove("from");
            query.remove("last");
            query.remove("since");
            query.remove("cursor");
            query.add(EventIds.parameterOf(lastEventId), lastEventId.trim());
        }
        SubscribeRequest subscribeRequest = requestParser.parse(query);
        access.requireSubscribe(principal, subscribeRequest.channels()); // 401/403 when auth is on
        Subscription subscription = subscriptions.create(subscribeRequest);
        SseWriter writer = new SseWriter(
                serverChannels.channelOf(request), serverChannels.nativeResponse(response), subscription, encoder);
        Sinks.Empty<Void> ended = Sinks.empty();
        Mono<ServerSentEvent<String>> endedByServer =
                subscription.endedByServer().map(this::errorEvent);
        Mono<ServerSentEvent<String>> expired = tokenExpiry(principal)
                .map(tick -> errorEvent(new SessionEnd(SessionEnd.Reason.LOG_UNAVAILABLE, "token expired")));
        Mono<ServerSentEvent<String>> stop = Mono.firstWithSignal(endedByServer, expired)
                .doOnNext(last -> writer.close()) // the writer stops before the final event
                .cache();
        Flux<ServerSentEvent<String>> heartbeats = Flux.interval(properties.heartbeat())
                .map(tick ->
                        ServerSentEvent.<String>builder().comment("keep-alive").build())
                .takeUntilOther(ended.asMono());
        // the first comment sends the headers; the writer starts once it went out
        Flux<ServerSentEvent<String>> stream = Flux.just(
                        ServerSentEvent.<String>builder().comment("subscribed").build())
                .concatWith(Flux.defer(() -> {
                    writer.start(subscribeRequest);
                    return Flux.merge(stop.doFinally(signal -> ended.tryEmitEmpty()), heartbeats);
                }));
        return stream.doFinally(signal -> {
            writer.close();
            subscription.end();
        });
    }

    /** When the caller's token expires, if it does. */
    private static Mono<Long> tokenExpiry(Principal principal) {
        if (principal instanceof JwtAuthenticationToken jwt && jwt.getToken().getExpiresAt() != null) {
            Instant at = jwt.getToken().getExpiresAt();
            return Mono.delay(Duration.ofMillis(Math.max(0, at.toEpochMilli() - System.currentTimeMillis())));
        }
        return Mono.never();
    }

    private ServerSentEvent<String> errorEvent(SessionEnd end) {
        String data = "{\"type\":\"error\",\"detail\":\"" + end.detail().replace("\"", "'") + "\"}";
        return ServerSentEvent.<String>builder(data)
                .event("error")
                .retry(properties.retry())
                .build();
    }

    @ExceptionHandler(InvalidSubscribeException.class)
    ResponseEntity<ProblemDetail> invalid(InvalidSubscribeException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        problem.setTitle("Invalid subscription");
        return ResponseEntity.badRequest()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}
