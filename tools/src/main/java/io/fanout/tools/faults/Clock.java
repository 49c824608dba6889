package io.fanout.tools.faults;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting in scenarios: until a moment, or (bounded) until a condition holds. */
final class Clock {

    private Clock() {}

    static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    static void sleepSeconds(long seconds) throws InterruptedException {
        TimeUnit.SECONDS.sleep(seconds);
    }

    /** Polls {@code condition} every {@code pollMillis} until it holds (returns the time) or the deadline passes (0). */
    static long awaitUntil(BooleanSupplier condition, long deadlineNanos, long pollMillis) throws InterruptedException {
        while (System.nanoTime() < deadlineNanos) {
            if (condition.getAsBoolean()) {
                return System.nanoTime();
            }
            TimeUnit.MILLISECONDS.sleep(pollMillis);
        }
        return 0;
    }
}
