package io.fanout.tools.faults;

import java.util.Locale;

/** Progress lines on stderr, stamped with seconds since the client started; figures use {@link #fmt}. */
final class Say {

    private static final long T0 = System.nanoTime();

    private Say() {}

    static void say(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[client %6.1fs] %s%n", (System.nanoTime() - T0) / 1e9, fmt(format, args));
    }

    static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
