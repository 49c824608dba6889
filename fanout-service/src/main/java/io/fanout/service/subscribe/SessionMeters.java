package io.fanout.service.subscribe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The session metrics, and the per-instance budget of buffered live bytes. Thread-safe.
 * <ul>
 *   <li>{@code fanout.sessions{state=live|catching-up}}: open sessions by state (a session still starting counts as
 *       catching up);</li>
 *   <li>{@code fanout.catchup.events}: events sent from the log (history and catching up);</li>
 *   <li>{@code fanout.catchup.lag}: records behind the log end, recorded at each log read;</li>
 *   <li>{@code fanout.catchup.fallbacks}: times a session dropped its live buffer (it then reads the log);</li>
 *   <li>{@code fanout.subscribe.buffered.bytes}: bytes of live frames waiting for sessions;</li>
 *   <li>{@code fanout.sessions.slow.disconnects}: sessions closed further behind than {@code max-lag}.</li>
 * </ul>
 */
@Component
public class SessionMeters {

    private final AtomicInteger live = new AtomicInteger();
    private final AtomicInteger catchingUp = new AtomicInteger();
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final long totalBufferBytes;
    private final Counter catchUpEvents;
    private final Counter fallbacks;
    private final Counter slowDisconnects;
    private final DistributionSummary lag;

    public SessionMeters(MeterRegistry meters, SubscribeProperties properties) {
        this.totalBufferBytes = properties.totalBufferBytes().toBytes();
        Gauge.builder("fanout.sessions", live, AtomicInteger::get)
                .tag("state", "live")
                .description("open subscriptions by state")
                .register(meters);
        Gauge.builder("fanout.sessions", catchingUp, AtomicInteger::get)
                .tag("state", "catching-up")
                .description("open subscriptions by state")
                .register(meters);
        Gauge.builder("fanout.subscribe.buffered.bytes", bufferedBytes, AtomicLong::get)
                .description("bytes of live frames waiting for sessions")
                .register(meters);
        this.catchUpEvents = Counter.builder("fanout.catchup.events")
                .description("events sent to sessions from the log")
                .register(meters);
        this.fallbacks = Counter.builder("fanout.catchup.fallbacks")
                .description("times a session dropped its live buffer and went back to the log")
                .register(meters);
        this.slowDisconnects = Counter.builder("fanout.sessions.slow.disconnects")
                .description("sessions closed further behind than max-lag")
                .register(meters);
        this.lag = DistributionSummary.builder("fanout.catchup.lag")
                .description("records a catching-up session is behind the log end")
                .register(meters);
    }

    /** Reserves {@code bytes} of the instance's live buffer budget; false (nothing reserved) when it would pass. */
    boolean reserve(long bytes) {
        if (bufferedBytes.addAndGet(bytes) > totalBufferBytes) {
            bufferedBytes.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void free(long bytes) {
        bufferedBytes.addAndGet(-bytes);
    }

    void entered(Subscription.State state) {
        counter(state).incrementAndGet();
    }

    void left(Subscription.State state) {
        counter(state).decrementAndGet();
    }

    void sentFromLog(int events) {
        catchUpEvents.increment(events);
    }

    void droppedLive() {
        fallbacks.increment();
    }

    void behind(long records) {
        lag.record(records);
    }

    public void slowDisconnect() {
        slowDisconnects.increment();
    }

    private AtomicInteger counter(Subscription.State state) {
        return state == Subscription.State.LIVE ? live : catchingUp;
    }
}
