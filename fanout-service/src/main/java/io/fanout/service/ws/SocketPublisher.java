package io.fanout.service.ws;

import io.fanout.common.error.FanoutException;
import io.fanout.common.publish.EventPublisher;
import io.fanout.common.publish.InvalidPublishException;
import io.fanout.common.publish.PublishAck;
import io.fanout.common.publish.PublishProperties;
import io.fanout.common.publish.PublishRequest;
import io.fanout.common.publish.PublishRequestParser;
import io.fanout.common.publish.SocketPublish;
import io.fanout.common.security.ChannelForbiddenException;
import io.fanout.common.security.ChannelGrants;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Publishes the text frames a WebSocket client sends, through the one {@link EventPublisher}, and words the reply:
 * an ack frame for an explicit publish object ({@code {"message": ...}}), nothing for a plain message (as in the
 * original FastAPI design), and an error frame for every refusal. An error frame's {@code status} is the HTTP status
 * {@code POST /push} answers for the same refusal (400, 403, 413, 422, 429, 503), taken from its
 * {@link FanoutException}, with {@code retryAfter} seconds on 429 and 503. Thread-safe; never blocks.
 */
@Component
class SocketPublisher {

    private static final Logger log = LoggerFactory.getLogger(SocketPublisher.class);

    private final EventPublisher publisher;
    private final Duration retryAfter;

    SocketPublisher(EventPublisher publisher, PublishProperties properties) {
        this.publisher = publisher;
        this.retryAfter = properties.retryAfter();
    }

    /**
     * Publishes one text frame; completes with the reply frame, or empty when there is none to send.
     *
     * @param socketChannel the socket's channel, or {@code null} when it follows several
     */
    Mono<String> publish(String text, String socketChannel, ChannelGrants grants) {
        SocketPublish parsed;
        try {
            parsed = PublishRequestParser.parseFrame(text, socketChannel);
        } catch (InvalidPublishException e) {
            return Mono.just(errorFrame(e));
        }
        PublishRequest request = parsed.request();
        String refused = grants.refusedPublish(List.of(request.channel()));
        if (refused != null) {
            return Mono.just(errorFrame(new ChannelForbiddenException(refused)));
        }
        boolean wantsAck = parsed.acknowledged();
        return publisher
                .publish(request)
                .map(ack -> wantsAck ? ackFrame(ack) : "")
                .onErrorResume(e -> {
                    log.debug("WebSocket publish failed: {}", e.toString());
                    return Mono.just(errorFrame(e));
                })
                .filter(reply -> !reply.isEmpty());
    }

    String errorFrame(Throwable error) {
        return FanoutException.errorFrame(error, retryAfter);
    }

    static String ackFrame(PublishAck ack) {
        return "{\"type\":\"ack\",\"channel\":\"" + ack.channel() + "\",\"id\":\"" + ack.id() + "\",\"partition\":"
                + ack.partition() + ",\"offset\":" + ack.offset() + ",\"timestamp\":" + ack.timestamp() + "}";
    }
}
