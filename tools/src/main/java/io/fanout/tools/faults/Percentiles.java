package io.fanout.tools.faults;

import java.util.Collection;

/** Percentiles of a set of durations in milliseconds (nearest rank). */
record Percentiles(int count, double p50, double p99, double max) {

    static Percentiles of(Collection<Double> millis) {
        double[] sorted =
                millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Percentiles(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99), sorted[sorted.length - 1]);
    }

    private static double rank(double[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** {@code <name>_p50_ms=… <name>_p99_ms=… <name>_max_ms=…}. */
    String format(String name) {
        return String.format(
                java.util.Locale.ROOT, "%s_p50_ms=%.1f %s_p99_ms=%.1f %s_max_ms=%.1f", name, p50, name, p99, name, max);
    }

    @Override
    public String toString() {
        return count + " values, p50 " + p50 + " ms, p99 " + p99 + " ms, max " + max + " ms";
    }
}
