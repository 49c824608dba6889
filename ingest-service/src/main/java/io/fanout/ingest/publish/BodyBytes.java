package io.fanout.ingest.publish;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/** A request body read chunk by chunk into one array, refused as soon as it passes the limit. */
final class BodyBytes {

    private final int limit;
    private byte[] bytes;
    private int size;

    /** @param expected the declared length (0 when none), the first array's size up to {@code limit} */
    BodyBytes(long expected, int limit) {
        this.limit = limit;
        this.bytes = new byte[(int) Math.min(Math.max(expected, 0), limit)];
    }

    /** Appends {@code chunk}'s readable bytes; throws {@link BodyTooLargeException} past the limit. */
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

    /** The body read so far. */
    byte[] bytes() {
        return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }
}
