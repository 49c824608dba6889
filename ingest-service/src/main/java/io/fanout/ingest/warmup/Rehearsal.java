package io.fanout.ingest.warmup;

import io.fanout.common.publish.EventPublisher;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.springframework.stereotype.Component;

/**
 * Tells the start-up warm-up's own requests from everyone else's. Once a rehearsal was opened, a {@code POST /push}
 * carrying {@value #HEADER} with this process's one-time secret (128 random bits, never logged or sent anywhere but
 * loopback) is published to the rehearsal's publisher, which writes to the warm-up topic only ({@link
 * RehearsalSink}), and stays so after the rehearsal ended, so that a rehearsal request still on its way then is
 * refused there and written nowhere; every other request (no header, any other value) is published as usual.
 * Thread-safe.
 */
@Component
public final class Rehearsal {

    /** The header carrying the rehearsal's secret. */
    public static final String HEADER = "X-Fanout-Rehearsal";

    private record Open(byte[] secret, EventPublisher publisher) {}

    private final SecureRandom random = new SecureRandom();
    private volatile Open open;

    /** The rehearsal's publisher when {@code headers} carry the rehearsal's secret; else {@code null}. */
    public EventPublisher publisherFor(HttpHeaders headers) {
        Open current = open;
        if (current == null) {
            return null;
        }
        String presented = headers.get(HEADER);
        return presented != null
                        && MessageDigest.isEqual(current.secret(), presented.getBytes(StandardCharsets.US_ASCII))
                ? current.publisher()
                : null;
    }

    /** Opens a rehearsal whose requests go to {@code publisher}; returns the secret they carry. */
    String open(EventPublisher publisher) {
        byte[] bits = new byte[16];
        random.nextBytes(bits);
        String secret = HexFormat.of().formatHex(bits);
        open = new Open(secret.getBytes(StandardCharsets.US_ASCII), publisher);
        return secret;
    }
}
