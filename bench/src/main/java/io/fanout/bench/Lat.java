package io.fanout.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Percentiles of a microsecond histogram, as text and as JSON. */
final class Lat {
    private Lat() {}

    static String line(String label, Histogram h) {
        if (h.getTotalCount() == 0) {
            return label + " n/a";
        }
        return label + " p50=" + Fmt.ms(h.getValueAtPercentile(50)) + " p99=" + Fmt.ms(h.getValueAtPercentile(99))
                + " p99.9=" + Fmt.ms(h.getValueAtPercentile(99.9)) + " max=" + Fmt.ms(h.getMaxValue()) + " ms";
    }

    static Map<String, Object> json(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        if (h.getTotalCount() > 0) {
            m.put("p50Ms", h.getValueAtPercentile(50) / 1000.0);
            m.put("p90Ms", h.getValueAtPercentile(90) / 1000.0);
            m.put("p99Ms", h.getValueAtPercentile(99) / 1000.0);
            m.put("p999Ms", h.getValueAtPercentile(99.9) / 1000.0);
            m.put("maxMs", h.getMaxValue() / 1000.0);
            m.put("meanMs", Fmt.r3(h.getMean() / 1000.0));
        }
        return m;
    }
}
