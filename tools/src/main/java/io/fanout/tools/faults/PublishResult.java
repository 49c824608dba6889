package io.fanout.tools.faults;

/**
 * One publish: when it was sent and how it ended. Created by the sending thread; the answer fields are written
 * once by the connection's event-loop thread before {@link SteadyPublisher}'s future completes.
 */
final class PublishResult {

    final long n;
    final long sent;
    volatile long done;
    volatile int status; // 0: no answer (I/O error or timeout)
    volatile boolean retryAfter;
    volatile long offset = -1;
    volatile String error;

    PublishResult(long n, long sent) {
        this.n = n;
        this.sent = sent;
    }

    boolean ok() {
        return status >= 200 && status < 300;
    }

    double millis() {
        return (done - sent) / 1e6;
    }
}
