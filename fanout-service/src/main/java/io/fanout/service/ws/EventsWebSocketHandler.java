package io.fanout.service.ws;

import io.fanout.service.netty.ServerChannels;
import io.fanout.service.subscribe.InvalidSubscribeException;
import io.fanout.service.subscribe.SessionEnd;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.SubscribeRequestParser;
import io.fanout.service.subscribe.Subscription;
import io.fanout.service.subscribe.Subscriptions;
import io.netty.handler.codec.TooLongFrameException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;

/**
 * {@code /events}: one pipeline per socket. Output: the session's {@link Subscription} (a {@code subscribed} frame,
 * the history of a cursor, live frames, catching up from the log when it falls behind) and the replies, written
 * straight to the channel by a {@link SocketWriter}, each live frame the shared bytes of its event. Input: text frames
 * are published, in order, by the {@link SocketPublisher}. The socket ends when the client closes it, on a bad
 * request (close 1008), when the client is further behind than {@code max-lag} (close 4000), when its {@code cursor=}
 * names an event not in this region yet (close 4001), or when the log or live delivery is unavailable (close 1013).
 */
@Component
class EventsWebSocketHandler implements WebSocketHandler {

    private final SubscribeRequestParser requestParser;
    private final SocketPublisher publisher;
    private final Subscriptions subscriptions;
    private final SessionGate gate;
    private final ServerChannels channels;

    EventsWebSocketHandler(
            SubscribeRequestParser requestParser,
            SocketPublisher publisher,
            Subscriptions subscriptions,
            SessionGate gate,
            ServerChannels channels) {
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
            request = requestParser.parse(queryOf(session.getHandshakeInfo().getUri()));
        } catch (InvalidSubscribeException e) {
            return session.close(CloseCodes.policyViolation(e.getMessage()));
        } catch (IllegalArgumentException e) { // a broken %-escape
            return session.close(CloseCodes.policyViolation("query is not valid percent-encoding"));
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
                .concatMap(text -> publisher
                        .publish(text, request.singleChannel(), admission.grants())
                        .flatMap(writer::reply))
                .then()
                // a message sent as fragments, each within the frame limit, whose sum is not (one frame over the
                // limit is closed 1009 by the frame decoder); unanswered, Reactor Netty would close with a bare 1002
                .onErrorResume(
                        TooLongFrameException.class, e -> admission.closeFromTheSide(CloseCodes.messageTooBig(e)));
        Mono<Void> endedByServer =
                subscription.endedByServer().flatMap(end -> admission.closeFromTheSide(closeStatus(end)));
        writer.start(request);
        return Mono.firstWithSignal(receive, endedByServer).doFinally(signal -> subscription.end());
    }

    /**
     * The handshake's query parameters, percent-decoded as {@code /sse} reads them ({@code from=3%3A17} is
     * {@code from=3:17}, {@code channel=news%3Aeu} is {@code news:eu}).
     */
    static MultiValueMap<String, String> queryOf(URI uri) {
        MultiValueMap<String, String> raw =
                UriComponentsBuilder.fromUri(uri).build().getQueryParams();
        MultiValueMap<String, String> decoded = new LinkedMultiValueMap<>();
        raw.forEach((name, values) -> values.forEach(value -> decoded.add(
                UriUtils.decode(name, StandardCharsets.UTF_8),
                value == null ? null : UriUtils.decode(value, StandardCharsets.UTF_8))));
        return decoded;
    }

    /** The close code and reason for a session the server ends. */
    static CloseStatus closeStatus(SessionEnd end) {
        return switch (end.reason()) {
            case TOO_FAR_BEHIND -> CloseCodes.slowConsumer(end.detail());
            case CURSOR_AHEAD -> CloseCodes.cursorAhead(end.detail());
            case INTERNAL_ERROR -> CloseCodes.internalError(end.detail());
            default -> CloseCodes.tryAgainLater(end.detail());
        };
    }
}
