package io.fanout.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Full-jitter exponential back-off: uniform in [0, min(max, min * 2^failures)], so that the clients of a failed
 * instance do not all come back at the same moment.
 */
record Backoff(Duration min, Duration max) {

    Backoff {
        if (min.isNegative() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("back-off needs 0 <= min <= max");
        }
    }

    Duration delay(int failures) {
        long ceiling = Math.min(max.toMillis(), min.toMillis() << Math.min(failures, 30));
        return Duration.ofMillis(ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1));
    }
}
