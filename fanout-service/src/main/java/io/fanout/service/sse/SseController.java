package io.fanout.service.sse;

import io.fanout.common.security.ChannelAccess;
import io.fanout.service.replay.ReplayRefusedException;
import io.fanout.service.replay.SubscriptionStream;
import io.fanout.service.subscribe.Dispatcher;
import io.fanout.service.subscribe.EventFrame;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.InvalidSubscribeException;
import io.fanout.service.subscribe.SubscribeProperties;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.SubscribeRequestParser;
import io.fanout.service.subscribe.Subscription;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * {@code GET /sse?channel=…}: the same events and cursors as {@code /events}, as Server-Sent Events. Each
 * event carries an {@code id} that a reconnecting {@code EventSource} sends back as {@code Last-Event-ID};
 * that header, when present, is the cursor. A stream whose buffer overflows ends; the client reconnects
 * and resumes from its last id.
 */
@RestController
class SseController {

    private final SubscribeRequestParser requestParser;
    private final Dispatcher dispatcher;
    private final SubscriptionStream stream;
    private final SubscribeProperties subscribe;
    private final SseProperties properties;
    private final ChannelAccess access;

    SseController(SubscribeRequestParser requestParser, Dispatcher dispatcher, SubscriptionStream stream,
            SubscribeProperties subscribe, SseProperties properties, ChannelAccess access) {
        this.access = access;
        this.requestParser = requestParser;
        this.dispatcher = dispatcher;
        this.stream = stream;
        this.subscribe = subscribe;
        this.properties = properties;
    }

    @GetMapping(path = "/sse", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<String>> sse(ServerHttpRequest request, java.security.Principal principal) {
        MultiValueMap<String, String> query = new LinkedMultiValueMap<>(request.getQueryParams());
        String lastEventId = request.getHeaders().getFirst("Last-Event-ID");
        if (lastEventId != null && !lastEventId.isBlank()) {
            query.remove("from");
            query.remove("last");
            query.remove("since");
            query.add("from", lastEventId.trim());
        }
        SubscribeRequest subscribeRequest = requestParser.parse(query);
        access.requireSubscribe(principal, subscribeRequest.channels()); // 401/403 when auth is on
        Subscription subscription = new Subscription(subscribeRequest.channels(), subscribe.bufferSize());
        EventIds ids = new EventIds();
        dispatcher.register(subscription);
        Sinks.Empty<Void> ended = Sinks.empty();
        Sinks.Empty<Void> started = Sinks.empty();
        Flux<ServerSentEvent<String>> events = stream.frames(subscribeRequest, subscription, positions -> {
                    ids.start(positions);
                    started.tryEmitEmpty();
                })
                .map(frame -> toEvent(frame, ids))
                .takeUntilOther(subscription.overflow().doOnNext(overflow -> dispatcher.recordSlowDisconnect()))
                .doFinally(signal -> ended.tryEmitEmpty());
        Flux<ServerSentEvent<String>> heartbeats = Flux.interval(properties.heartbeat())
                .map(tick -> ServerSentEvent.<String>builder().comment("keep-alive").build())
                .takeUntilOther(ended.asMono());
        // once the subscription is planned (errors before it are still problem+json), a first comment sends the
        // response headers at once, so a client knows the stream is open before the first event or heartbeat
        Mono<ServerSentEvent<String>> opened = started.asMono()
                .then(Mono.fromSupplier(() -> ServerSentEvent.<String>builder().comment("subscribed").build()));
        return Flux.merge(opened, events, heartbeats)
                .doFinally(signal -> dispatcher.unregister(subscription));
    }

    private ServerSentEvent<String> toEvent(Frame frame, EventIds ids) {
        String data = new String(frame.json(), StandardCharsets.UTF_8);
        if (frame instanceof EventFrame event) {
            return ServerSentEvent.<String>builder(data).id(ids.after(event.partition(), event.offset()))
                    .event("message").retry(properties.retry()).build();
        }
        return ServerSentEvent.<String>builder(data).event("truncated").build();
    }

    @ExceptionHandler(InvalidSubscribeException.class)
    ResponseEntity<ProblemDetail> invalid(InvalidSubscribeException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        problem.setTitle("Invalid subscription");
        return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    @ExceptionHandler(ReplayRefusedException.class)
    ResponseEntity<ProblemDetail> refused(ReplayRefusedException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        problem.setTitle("Too many replays");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "1")
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
