package io.fanout.service.ws;

import io.fanout.service.subscribe.Dispatcher;
import io.fanout.service.replay.ReplayRefusedException;
import io.fanout.service.replay.SubscriptionStream;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.InvalidSubscribeException;
import io.fanout.service.subscribe.SubscribeProperties;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.SubscribeRequestParser;
import io.fanout.service.subscribe.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * {@code /events}: one pipeline per socket. Output: the history of a cursor through the session's reactive send,
 * then live frames and replies written straight to the channel by a {@link SocketWriter}, each live frame the shared
 * bytes of its event. Input: text frames are published, in order, by the {@link SocketPublisher}. The socket
 * ends when the client closes it, when its buffer overflows (close 4000) or on a bad request (close 1008).
 */
@Component
class EventsWebSocketHandler implements WebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(EventsWebSocketHandler.class);

    private final SubscribeRequestParser requestParser;
    private final Dispatcher dispatcher;
    private final SocketPublisher publisher;
    private final SubscribeProperties properties;
    private final SubscriptionStream stream;
    private final SessionGate gate;
    private final SocketChannels channels;

    EventsWebSocketHandler(SubscribeRequestParser requestParser, Dispatcher dispatcher, SocketPublisher publisher,
            SubscribeProperties properties, SubscriptionStream stream, SessionGate gate, SocketChannels channels) {
        this.channels = channels;
        this.stream = stream;
        this.gate = gate;
        this.requestParser = requestParser;
        this.dispatcher = dispatcher;
        this.publisher = publisher;
        this.properties = properties;
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
        Subscription subscription = new Subscription(request.channels(), properties.bufferSize());
        SocketWriter writer = new SocketWriter(channels.channelOf(session), subscription);

        // history (if any) through the session's reactive send, then live frames straight to the channel
        Mono<Void> send = stream.backlog(request, null)
                .flatMap(backlog -> session.send(backlog.history().map(frame -> toMessage(session, frame)))
                        .then(Mono.fromRunnable(() -> writer.startLive(backlog.isLive()))))
                .then(Mono.<Void>never())
                .onErrorResume(ReplayRefusedException.class, e -> session.close(CloseCodes.tryAgainLater(e.getMessage())))
                .onErrorResume(e -> !(e instanceof java.io.IOException), e -> {
                    log.warn("subscription to {} failed: {}", request.channels(), e.toString());
                    return session.close(CloseCodes.tryAgainLater("history unavailable; retry shortly"));
                });
        Mono<Void> receive = session.receive()
                .filter(message -> message.getType() == WebSocketMessage.Type.TEXT)
                .map(WebSocketMessage::getPayloadAsText)
                .concatMap(text -> publisher.publish(text, request.singleChannel(), admission.grants()))
                .doOnNext(writer::reply)
                .then();
        Mono<Void> slow = subscription.overflow().flatMap(overflow -> {
            dispatcher.recordSlowDisconnect();
            return admission.closeFromTheSide(CloseCodes.slowConsumer(overflow.getMessage()));
        });

        dispatcher.register(subscription);
        return Mono.firstWithSignal(send, receive, slow)
                .doFinally(signal -> dispatcher.unregister(subscription));
    }

    private static WebSocketMessage toMessage(WebSocketSession session, Frame frame) {
        return new WebSocketMessage(WebSocketMessage.Type.TEXT, session.bufferFactory().wrap(frame.json()));
    }
}
