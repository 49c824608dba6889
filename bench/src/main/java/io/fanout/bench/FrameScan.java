package io.fanout.bench;

import java.nio.charset.StandardCharsets;

/**
 * Just enough JSON scanning to read a delivered frame without a JSON library: find a key's bytes,
 * then read the number after it. The message the generator publishes is
 * {@code {"bseq":<sequence>,"bsent":<System.nanoTime() at send>,"pad":"..."}}; the scan skips
 * quotes, backslashes, colons and spaces after a key, so it also copes with a server that embeds
 * the message as an escaped JSON string.
 */
final class FrameScan {

    static final byte[] CHANNEL = bytes("\"channel\"");
    static final byte[] OFFSET = bytes("\"offset\"");
    static final byte[] MESSAGE = bytes("\"message\"");
    static final byte[] SEQ = bytes("bseq");
    static final byte[] SENT = bytes("bsent");

    /** Returned by {@link #number} when there is no number. */
    static final long NONE = Long.MIN_VALUE;

    private FrameScan() {}

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Index of pattern p in a[from, n), or -1. */
    static int indexOf(byte[] a, int from, int n, byte[] p) {
        if (from < 0) {
            from = 0;
        }
        byte first = p[0];
        int last = n - p.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (a[i] != first) {
                continue;
            }
            for (int j = 1; j < p.length; j++) {
                if (a[i + j] != p[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The (possibly negative) integer starting at or after pos, skipping {@code " \ : space}; or NONE. */
    static long number(byte[] a, int pos, int n) {
        if (pos < 0) {
            return NONE;
        }
        int i = pos;
        while (i < n && (a[i] == '"' || a[i] == '\\' || a[i] == ':' || a[i] == ' ')) {
            i++;
        }
        boolean neg = false;
        if (i < n && a[i] == '-') {
            neg = true;
            i++;
        }
        int start = i;
        long v = 0;
        while (i < n && a[i] >= '0' && a[i] <= '9') {
            v = v * 10 + (a[i] - '0');
            i++;
        }
        if (i == start) {
            return NONE;
        }
        return neg ? -v : v;
    }

    /** The number after key k (searched from 'from'), or NONE. */
    static long field(byte[] a, int from, int n, byte[] k) {
        int at = indexOf(a, from, n, k);
        return at < 0 ? NONE : number(a, at + k.length, n);
    }

    /** Whether the string value of "channel" equals expected (bytes of the name, no quotes). */
    static boolean channelIs(byte[] a, int n, byte[] expected) {
        int at = indexOf(a, 0, n, CHANNEL);
        if (at < 0) {
            return false;
        }
        int i = at + CHANNEL.length;
        while (i < n && (a[i] == ':' || a[i] == ' ')) {
            i++;
        }
        if (i >= n || a[i] != '"') {
            return false;
        }
        i++;
        if (i + expected.length >= n) {
            return false;
        }
        for (int j = 0; j < expected.length; j++) {
            if (a[i + j] != expected[j]) {
                return false;
            }
        }
        return a[i + expected.length] == '"';
    }

    /** Every "offset" number in a response body, in order (for /push and /push/batch acks). */
    static int offsets(byte[] a, int n, long[] out) {
        int count = 0;
        int from = 0;
        while (true) {
            int at = indexOf(a, from, n, OFFSET);
            if (at < 0) {
                return count;
            }
            long v = number(a, at + OFFSET.length, n);
            if (count < out.length) {
                out[count] = v;
            }
            count++;
            from = at + OFFSET.length;
        }
    }
}
