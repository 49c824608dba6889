package io.fanout.service.ws;

import io.fanout.common.publish.EventPublisher;
import io.fanout.common.publish.EventTooLargeException;
import io.fanout.common.publish.IdempotencyKeyReusedException;
import io.fanout.common.publish.InvalidPublishException;
import io.fanout.common.publish.PublisherOverloadedException;
import io.fanout.common.publish.SocketPublish;
import io.fanout.common.publish.PublishAck;
import io.fanout.common.publish.PublishRequest;
import io.fanout.common.publish.PublishRequestParser;
import io.fanout.common.security.ChannelGrants;
import io.fanout.service.subscribe.InvalidSubscribeException;
import io.fanout.service.subscribe.SessionEnd;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.SubscribeRequestParser;
import io.fanout.service.subscribe.Subscription;
import io.fanout.service.subscribe.Subscriptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /events}: one pipeline per socket. Output: the session's {@link Subscription} (a {@code subscribed} frame,
 * the history of a cursor, live frames, catching up from the log when it falls behind) and the replies, written
 * straight to the channel by a {@link SocketWriter}, each live frame the shared bytes of its event. Input: text frames
 * are published, in order, through the one {@link EventPublisher}. The socket ends when the client closes it, on a
 * bad request (close 1008), when the client is further behind than {@code max-lag} (close 4000), or when the log
 * or live delivery is unavailable (close 1013).
 */
@Component
class EventsWebSocketHandler implements WebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(EventsWebSocketHandler.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SubscribeRequestParser requestParser;
    private final EventPublisher publisher;
    private final Subscriptions subscriptions;
    private final SessionGate gate;
    private final SocketChannels channels;

    EventsWebSocketHandler(SubscribeRequestParser requestParser, EventPublisher publisher, Subscriptions subscriptions,
            SessionGate gate, SocketChannels channels) {
        this.channels = channels;
        this.subscriptions = subscriptions;
        this.gate = gate;
        this.requestParser = requestParser;
        this.publisher = publisher;
    }

    /** Admits the session (connection cap, token: closes 1013 / 1008 otherwise), then serves it. */
    @Override
    public Mono<Void> handle(WebSocketSession session) {
        return gate.admit(session)
                .flatMap(admission -> admission.guard(serve(session, admission)))
                .onErrorResume(SessionRefusedException.class, e -> session.close(e.status()));
    }

    private Mono<Void> serve(WebSocketSession session, SessionGate.Admission admission) {
        SubscribeRequest request;
        try {
            request = requestParser.parse(
                    UriComponentsBuilder.fromUri(session.getHandshakeInfo().getUri()).build().getQueryParams());
        } catch (InvalidSubscribeException e) {
            return session.close(CloseCodes.policyViolation(e.getMessage()));
        }
        String forbidden = admission.refusedSubscription(request.channels());
        if (forbidden != null) {
            return session.close(CloseCodes.policyViolation(forbidden));
        }
        Subscription subscription = subscriptions.create(request);
        SocketWriter writer = new SocketWriter(channels.channelOf(session), subscription);
        Mono<Void> receive = session.receive()
                .filter(message -> message.getType() == WebSocketMessage.Type.TEXT)
                .map(WebSocketMessage::getPayloadAsText)
                .concatMap(text -> publish(text, request.singleChannel(), admission.grants()).flatMap(writer::reply))
                .then();
        Mono<Void> endedByServer = subscription.endedByServer()
                .flatMap(end -> admission.closeFromTheSide(closeStatus(end)));
        writer.start(request);
        return Mono.firstWithSignal(receive, endedByServer)
                .doFinally(signal -> subscription.end());
    }

    private static org.springframework.web.reactive.socket.CloseStatus closeStatus(SessionEnd end) {
        return end.reason() == SessionEnd.Reason.TOO_FAR_BEHIND ? CloseCodes.slowConsumer(end.detail())
                : CloseCodes.tryAgainLater(end.detail());
    }

    /**
     * Publishes one text frame. Only an explicit publish object ({@code {"message": ...}}) gets an ack frame
     * back; a plain message is published silently, as in the original design. Errors always get a frame.
     */
    private Mono<String> publish(String text, String socketChannel, ChannelGrants grants) {
        SocketPublish parsed;
        try {
            parsed = PublishRequestParser.parseFrame(text, socketChannel);
        } catch (InvalidPublishException e) {
            return Mono.just(errorFrame(400, e.getMessage()));
        }
        PublishRequest request = parsed.request();
        if (!grants.canPublish(request.channel())) {
            return Mono.just(errorFrame(403, "token does not allow publishing to channel '" + request.channel() + "'"));
        }
        boolean wantsAck = parsed.acknowledged();
        return publisher.publish(request)
                .map(ack -> wantsAck ? ackFrame(ack) : "")
                .onErrorResume(e -> {
                    log.debug("WebSocket publish failed: {}", e.toString());
                    return Mono.just(errorFrame(statusOf(e), e.getMessage()));
                })
                .filter(reply -> !reply.isEmpty());
    }

    /** The HTTP status {@code POST /push} would answer for the same failure. */
    private static int statusOf(Throwable error) {
        if (error instanceof InvalidPublishException) {
            return 400;
        }
        if (error instanceof EventTooLargeException) {
            return 413;
        }
        if (error instanceof IdempotencyKeyReusedException) {
            return 422;
        }
        if (error instanceof PublisherOverloadedException) {
            return 429;
        }
        return 503;
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
