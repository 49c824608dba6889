package io.fanout.service.ws;

import io.fanout.common.publish.EventPublisher;
import io.fanout.common.publish.InvalidPublishException;
import io.fanout.common.publish.PublishAck;
import io.fanout.common.publish.PublishRequest;
import io.fanout.common.publish.PublishRequestParser;
import io.fanout.service.subscribe.Dispatcher;
import io.fanout.service.subscribe.EventFrame;
import io.fanout.service.subscribe.InvalidSubscribeException;
import io.fanout.service.subscribe.SubscribeProperties;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.SubscribeRequestParser;
import io.fanout.service.subscribe.Subscription;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /events}: one pipeline per socket. Output: the subscription's frames, each the shared bytes of
 * its event. Input: text frames are published, in order, through the one {@link EventPublisher}. The socket
 * ends when the client closes it, when its buffer overflows (close 4000) or on a bad request (close 1008).
 */
@Component
class EventsWebSocketHandler implements WebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(EventsWebSocketHandler.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final SubscribeRequestParser requestParser;
    private final Dispatcher dispatcher;
    private final EventPublisher publisher;
    private final SubscribeProperties properties;

    EventsWebSocketHandler(SubscribeRequestParser requestParser, Dispatcher dispatcher, EventPublisher publisher,
            SubscribeProperties properties) {
        this.requestParser = requestParser;
        this.dispatcher = dispatcher;
        this.publisher = publisher;
        this.properties = properties;
    }

    @Override
    public Mono<Void> handle(WebSocketSession session) {
        SubscribeRequest request;
        try {
            request = requestParser.parse(
                    UriComponentsBuilder.fromUri(session.getHandshakeInfo().getUri()).build().getQueryParams());
        } catch (InvalidSubscribeException e) {
            return session.close(CloseCodes.policyViolation(e.getMessage()));
        }
        Subscription subscription = new Subscription(request.channels(), properties.bufferSize());
        Sinks.Many<String> replies = Sinks.many().unicast().onBackpressureBuffer();

        Flux<WebSocketMessage> events = subscription.frames()
                .map(frame -> toMessage(session, frame));
        Flux<WebSocketMessage> output = Flux.merge(events, replies.asFlux().map(session::textMessage));

        Mono<Void> send = session.send(output);
        Mono<Void> receive = session.receive()
                .filter(message -> message.getType() == WebSocketMessage.Type.TEXT)
                .map(WebSocketMessage::getPayloadAsText)
                .concatMap(text -> publish(text, request.singleChannel()))
                .doOnNext(replies::tryEmitNext)
                .then();
        Mono<Void> slow = subscription.overflow().flatMap(overflow -> {
            dispatcher.recordSlowDisconnect();
            return session.close(CloseCodes.slowConsumer(overflow.getMessage())).timeout(CLOSE_GRACE, Mono.empty());
        });

        dispatcher.register(subscription);
        return Mono.firstWithSignal(send, receive, slow)
                .doFinally(signal -> {
                    dispatcher.unregister(subscription);
                    replies.tryEmitComplete();
                });
    }

    private static WebSocketMessage toMessage(WebSocketSession session, EventFrame frame) {
        return new WebSocketMessage(WebSocketMessage.Type.TEXT, session.bufferFactory().wrap(frame.json()));
    }

    /**
     * Publishes one text frame. Only an explicit publish object ({@code {"message": ...}}) gets an ack frame
     * back; a plain message is published silently, as in the original design. Errors always get a frame.
     */
    private Mono<String> publish(String text, String socketChannel) {
        PublishRequest request;
        try {
            request = PublishRequestParser.parseFrame(text, socketChannel);
        } catch (InvalidPublishException e) {
            return Mono.just(errorFrame(400, e.getMessage()));
        }
        boolean wantsAck = isPublishObject(text);
        return publisher.publish(request)
                .map(ack -> wantsAck ? ackFrame(ack) : "")
                .onErrorResume(e -> {
                    log.debug("WebSocket publish failed: {}", e.toString());
                    return Mono.just(errorFrame(e instanceof InvalidPublishException ? 400 : 503, e.getMessage()));
                })
                .filter(reply -> !reply.isEmpty());
    }

    private static boolean isPublishObject(String text) {
        String trimmed = text.stripLeading();
        return trimmed.startsWith("{") && text.contains("\"message\"");
    }

    private static String ackFrame(PublishAck ack) {
        return "{\"type\":\"ack\",\"channel\":\"" + ack.channel() + "\",\"id\":\"" + ack.id() + "\",\"partition\":"
                + ack.partition() + ",\"offset\":" + ack.offset() + ",\"timestamp\":" + ack.timestamp() + "}";
    }

    private static String errorFrame(int status, String detail) {
        return "{\"type\":\"error\",\"status\":" + status + ",\"detail\":" + JSON.writeValueAsString(String.valueOf(detail))
                + "}";
    }
}
