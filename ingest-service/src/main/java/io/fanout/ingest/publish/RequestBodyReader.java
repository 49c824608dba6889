package io.fanout.ingest.publish;

import io.fanout.common.publish.PublishProperties;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.Arrays;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Reads a request body into memory, never more than {@code fanout.publish.max-body-size}: a declared
 * {@code Content-Length} over the limit is refused before reading, a streamed body as soon as it passes it. For
 * WebFlux's requests ({@link PushController}) and Reactor Netty's ({@link PushRoute}) alike.
 */
@Component
class RequestBodyReader {

    private final int maxBytes;

    RequestBodyReader(PublishProperties properties) {
        this.maxBytes =
                (int) Math.min(Integer.MAX_VALUE, properties.maxBodySize().toBytes());
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

    Mono<byte[]> read(HttpServerRequest request) {
        long declared = contentLength(request);
        if (declared > maxBytes) {
            return Mono.error(new BodyTooLargeException(declared, maxBytes));
        }
        return request.receive()
                .reduce(new BodyBytes((int) Math.max(declared, 0), maxBytes), BodyBytes::add)
                .map(BodyBytes::bytes);
    }

    private static long contentLength(HttpServerRequest request) {
        String declared = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
        if (declared == null) {
            return -1;
        }
        try {
            return Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return -1; // Netty's decoder refuses such a request before it gets here
        }
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

    /** A body read chunk by chunk into one array, refused as soon as it passes the limit. */
    private static final class BodyBytes {

        private final int limit;
        private byte[] bytes;
        private int size;

        BodyBytes(int expected, int limit) {
            this.limit = limit;
            this.bytes = new byte[Math.min(expected, limit)];
        }

        BodyBytes add(ByteBuf chunk) {
            int readable = chunk.readableBytes();
            if ((long) size + readable > limit) {
                throw new BodyTooLargeException(-1, limit);
            }
            if (size + readable > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(size + readable, bytes.length * 2)));
            }
            chunk.readBytes(bytes, size, readable);
            size += readable;
            return this;
        }

        byte[] bytes() {
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }
    }
}
