package io.fanout.system;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.springframework.context.ConfigurableApplicationContext;

/** A running service's metrics, read from its {@link MeterRegistry} bean (the meters Prometheus scrapes). */
final class Meters {

    private final MeterRegistry registry;

    Meters(ConfigurableApplicationContext service) {
        this.registry = service.getBean(MeterRegistry.class);
    }

    /**
     * The sum over the meters named {@code name} (Micrometer's dotted name, e.g. {@code fanout.sessions}) with these
     * tags ({@code key, value, ...}): counters' counts plus gauges' values; 0 if there is none.
     */
    double value(String name, String... tags) {
        return value(registry.find(name).tags(tags));
    }

    /** How many times the timers named {@code name} with these tags recorded; 0 if there is none. */
    long timed(String name, String... tags) {
        return registry.find(name).tags(tags).timers().stream()
                .mapToLong(t -> t.count())
                .sum();
    }

    private static double value(Search search) {
        double counters = search.counters().stream().mapToDouble(c -> c.count()).sum();
        double gauges = search.gauges().stream().mapToDouble(g -> g.value()).sum();
        return counters + gauges;
    }
}
