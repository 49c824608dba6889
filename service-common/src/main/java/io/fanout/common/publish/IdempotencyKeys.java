package io.fanout.common.publish;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** The idempotency key's rules and where it lives in Kafka: the record header {@value #HEADER}. */
public final class IdempotencyKeys {

    /**
     * The record header carrying a publish's idempotency key. A header rather than an Avro field: readers built
     * with the current schema keep decoding every event, and the start-up scan reads keys without decoding values.
     */
    public static final String HEADER = "idempotency-key";

    public static final int MAX_LENGTH = 200;

    private IdempotencyKeys() {}

    /** A sentence saying what is wrong with {@code key}, or {@code null} when it is valid (1–200 visible ASCII). */
    public static String problem(String key) {
        if (key == null || key.isEmpty()) {
            return "idempotency key must not be empty";
        }
        if (key.length() > MAX_LENGTH) {
            return "idempotency key is " + key.length() + " characters long; at most " + MAX_LENGTH + " are allowed";
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "idempotency key may hold only visible ASCII characters (found one at position " + i + ")";
            }
        }
        return null;
    }

    static String read(Headers headers) {
        Header header = headers.lastHeader(HEADER);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
