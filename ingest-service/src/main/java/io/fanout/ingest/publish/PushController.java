package io.fanout.ingest.publish;

import io.fanout.common.publish.EventPublisher;
import io.fanout.common.publish.InvalidPublishException;
import io.fanout.common.publish.PublishAck;
import io.fanout.common.publish.PublishProperties;
import io.fanout.common.publish.PublishRequest;
import io.fanout.common.publish.PublishRequestParser;
import io.fanout.common.security.ChannelAccess;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code POST /push} and {@code POST /push/batch}: answers with the ack(s) once Kafka has the event(s). With auth on,
 * the caller's token must allow every channel of the request (403 otherwise, and nothing of a batch is published).
 * Errors become problem+json in {@link PublishErrorHandler}. Acks are written as prebuilt JSON
 * ({@link PublishAck#toJson}), not through a serializer per response.
 */
@RestController
class PushController {

    private final EventPublisher publisher;
    private final RequestBodyReader bodyReader;
    private final ChannelAccess access;
    private final int maxBatchItems;

    PushController(
            EventPublisher publisher,
            RequestBodyReader bodyReader,
            ChannelAccess access,
            PublishProperties properties) {
        this.publisher = publisher;
        this.bodyReader = bodyReader;
        this.access = access;
        this.maxBatchItems = properties.maxBatchItems();
    }

    /** Header naming a publish so that a retry of it is not written twice (see {@code EventPublisher}). */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    @PostMapping(
            path = "/push",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<byte[]> push(ServerHttpRequest request) {
        String key = request.getHeaders().getFirst(IDEMPOTENCY_KEY);
        return bodyReader
                .read(request)
                .map(body -> PublishRequestParser.parseOne(body, key))
                .flatMap(one -> access.checkPublish(List.of(one.channel())).then(publisher.publish(one)))
                .map(PublishAck::toJson);
    }

    @PostMapping(
            path = "/push/batch",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<byte[]> pushBatch(ServerHttpRequest request) {
        if (request.getHeaders().containsHeader(IDEMPOTENCY_KEY)) {
            return Mono.error(
                    new InvalidPublishException(
                            IDEMPOTENCY_KEY
                                    + " is supported on POST /push only; send the events of a retried batch one by one with a key each"));
        }
        return bodyReader
                .read(request)
                .map(body -> PublishRequestParser.parseBatch(body, maxBatchItems))
                .flatMap(all -> access.checkPublish(
                                all.stream().map(PublishRequest::channel).toList())
                        .then(publisher.publishAll(all)))
                .map(PublishAck::toJson);
    }
}
