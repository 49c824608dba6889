package io.fanout.ingest.publish;

import io.fanout.common.publish.PublishProperties;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Reads a request body into memory, never more than {@code fanout.publish.max-body-size}: a declared
 * {@code Content-Length} over the limit is refused before reading, a streamed body as soon as it passes it. For
 * WebFlux's requests ({@link PushController}); {@link PushChannelHandler} reads its own with {@link BodyBytes}.
 */
@Component
class RequestBodyReader {

    private final int maxBytes;

    RequestBodyReader(PublishProperties properties) {
        this.maxBytes = properties.maxBodyBytes();
    }

    Mono<byte[]> read(ServerHttpRequest request) {
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return Mono.error(new BodyTooLargeException(declared, maxBytes));
        }
        return DataBufferUtils.join(request.getBody(), maxBytes)
                .onErrorMap(DataBufferLimitException.class, e -> new BodyTooLargeException(-1, maxBytes))
                .map(RequestBodyReader::toBytes)
                .defaultIfEmpty(new byte[0]);
    }

    private static byte[] toBytes(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
