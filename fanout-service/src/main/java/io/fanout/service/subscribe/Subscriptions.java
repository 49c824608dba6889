package io.fanout.service.subscribe;

import io.fanout.common.region.RegionProperties;
import org.springframework.stereotype.Component;

/**
 * Makes the {@link Subscription} of each WebSocket or SSE session, wired to the live {@link Dispatcher} and the
 * shared log readers. The session's writer (WebSocket or SSE) starts it with {@link Subscription#drainWith}, and ends
 * it with {@link Subscription#end()}.
 */
@Component
public class Subscriptions {

    private final Dispatcher dispatcher;
    private final LogSource logs;
    private final SessionMeters meters;
    private final SubscribeProperties properties;
    private final int maxEventsPerSecond;
    private final String home;

    public Subscriptions(
            Dispatcher dispatcher,
            LogSource logs,
            SessionMeters meters,
            SubscribeProperties properties,
            LogPacing pacing,
            RegionProperties region) {
        this.dispatcher = dispatcher;
        this.logs = logs;
        this.meters = meters;
        this.properties = properties;
        this.maxEventsPerSecond = pacing.maxEventsPerSecond();
        this.home = region.name();
    }

    public Subscription create(SubscribeRequest request) {
        return new Subscription(
                home,
                request.channels(),
                request.cursor(),
                request.lastSeqs(),
                properties,
                dispatcher,
                logs,
                meters,
                maxEventsPerSecond);
    }

    /** The pace of log reads per session (0: as fast as the client takes them); implemented by the log readers. */
    public interface LogPacing {
        int maxEventsPerSecond();
    }
}
