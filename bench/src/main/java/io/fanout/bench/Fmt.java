package io.fanout.bench;

import java.util.Locale;

/** Number formatting for summary lines and the result file. */
final class Fmt {
    private Fmt() {}

    static String f0(double v) {
        return v < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", v);
    }

    static String f1(double v) {
        return v < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    static String f2(double v) {
        return v < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Microseconds as milliseconds with 2 decimals. */
    static String ms(long micros) {
        return micros < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", micros / 1000.0);
    }

    /** Rounded to 3 decimals, for JSON. */
    static double r3(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    /** 1234567 -> "1.23M", 12345 -> "12.3k". */
    static String si(double v) {
        if (v < 0) {
            return "n/a";
        }
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e4) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
