package io.fanout.service.ws;

import java.nio.charset.StandardCharsets;
import org.springframework.web.reactive.socket.CloseStatus;

/**
 * The WebSocket close codes fanout sends (documented in the README), and the one place a close reason is made to
 * fit its frame: a close frame's payload is at most 125 bytes, two of them the code, so every reason built here is cut
 * to {@value #MAX_REASON_BYTES} bytes of UTF-8, on a character boundary, ending in "..." when cut. Build every
 * {@link CloseStatus} through this class.
 */
final class CloseCodes {

    /** Most bytes of UTF-8 a close reason may take (RFC 6455 5.5: 125-byte control frame payload, 2 for the code). */
    static final int MAX_REASON_BYTES = 123;

    private static final String CUT = "...";

    /** Going away: the instance shuts down; reconnect, with a cursor to lose nothing. */
    static final CloseStatus GOING_AWAY =
            of(CloseStatus.GOING_AWAY.getCode(), "server shutting down; reconnect with from=");

    /** Private-use code: the client is further behind than {@code max-lag}; reconnect with {@code from=<position>}. */
    static final int SLOW_CONSUMER = 4000;

    /**
     * Private-use code: the {@code cursor=} names an event that has not reached this region yet (a
     * {@code cursor-ahead} frame said which origin); retry with the same cursor after a pause, or resume in that
     * origin's region.
     */
    static final int CURSOR_AHEAD = 4001;

    /** 1013: try again later (RFC 6455 registry). */
    static final int TRY_AGAIN_LATER = 1013;

    private CloseCodes() {}

    /** 1008: the request or token is not allowed. */
    static CloseStatus policyViolation(String reason) {
        return of(CloseStatus.POLICY_VIOLATION.getCode(), reason);
    }

    /** 1009: a message (all its fragments together) is larger than {@code fanout.publish.max-body-size}. */
    static CloseStatus messageTooBig(Exception e) {
        return of(CloseStatus.TOO_BIG_TO_PROCESS.getCode(), "message too big: " + e.getMessage());
    }

    /** 1013: not served now (the log unreadable, live delivery stopped, too many connections); retry shortly. */
    static CloseStatus tryAgainLater(String reason) {
        return of(TRY_AGAIN_LATER, reason);
    }

    /** 1011: an unexpected fault of this instance while serving the session (logged there); resume with a cursor. */
    static CloseStatus internalError(String reason) {
        return of(CloseStatus.SERVER_ERROR.getCode(), reason);
    }

    /** 1013 as well, for the connection cap (Spring names it {@code SERVICE_OVERLOAD}). */
    static CloseStatus overloaded(String reason) {
        return of(CloseStatus.SERVICE_OVERLOAD.getCode(), reason);
    }

    static CloseStatus cursorAhead(String reason) {
        return of(CURSOR_AHEAD, reason);
    }

    static CloseStatus slowConsumer(String reason) {
        return of(SLOW_CONSUMER, reason);
    }

    /** {@code code} with {@code reason} cut to fit the close frame. */
    static CloseStatus of(int code, String reason) {
        return new CloseStatus(code, fit(reason));
    }

    /**
     * {@code reason} on one line (control characters, which a refused query may echo, become spaces) if it is at most
     * {@value #MAX_REASON_BYTES} bytes of UTF-8; otherwise its longest prefix of whole characters (never half a
     * surrogate pair) that fits with "..." appended.
     */
    static String fit(String text) {
        if (text == null) {
            return null;
        }
        String reason = text.chars().anyMatch(Character::isISOControl)
                ? text.codePoints()
                        .map(c -> Character.isISOControl(c) ? ' ' : c)
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                        .toString()
                : text;
        if (reason.length() * 3 <= MAX_REASON_BYTES
                || reason.getBytes(StandardCharsets.UTF_8).length <= MAX_REASON_BYTES) {
            return reason;
        }
        int budget = MAX_REASON_BYTES - CUT.length();
        int bytes = 0;
        int end = 0;
        while (end < reason.length()) {
            int codePoint = reason.codePointAt(end);
            // a lone surrogate counts 3 here and is encoded as 1 byte ('?'): the count only errs on the safe side
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return reason.substring(0, end) + CUT;
    }
}
