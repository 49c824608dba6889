package io.fanout.service.replay;

import io.fanout.service.subscribe.Cursor;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.Subscription;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * The frames of one session, the same for WebSocket and SSE: for a cursor, the history first and then the
 * live events past it, with no gap and no duplicate at the hand-over; without one, live events only.
 * The subscription must already be registered with the dispatcher, so that live frames published while
 * the history is read wait in its bounded buffer.
 */
@Component
public class SubscriptionStream {

    private final HistoryReader historyReader;

    public SubscriptionStream(HistoryReader historyReader) {
        this.historyReader = historyReader;
    }

    /**
     * @param onStart told, before the first frame, the next offset per partition of the subscription's
     *        channels at the start of the stream; when given, even a live-only subscription reads the end
     *        offsets (SSE needs them for its event ids)
     */
    public Flux<Frame> frames(SubscribeRequest request, Subscription subscription,
            Consumer<Map<Integer, Long>> onStart) {
        if (request.cursor() instanceof Cursor.Live && onStart == null) {
            return subscription.frames().cast(Frame.class);
        }
        return historyReader.open(request).doOnDiscard(Replay.class, Replay::close).flatMapMany(replay -> {
            if (onStart != null) {
                onStart.accept(startPositions(request, replay));
            }
            return replay.history().concatWith(subscription.frames().filter(replay::isLive));
        });
    }

    private static Map<Integer, Long> startPositions(SubscribeRequest request, Replay replay) {
        // the positions before any history: where the client would resume if it received nothing
        return request.cursor() instanceof Cursor.Live ? replay.liveFrom() : replay.startPositions();
    }
}
