package io.fanout.service.replay;

import io.fanout.service.subscribe.Cursor;
import io.fanout.service.subscribe.EventFrame;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.Subscription;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The frames of one session, the same for WebSocket and SSE: for a cursor, the history first and then the
 * live events past it, with no gap and no duplicate at the hand-over; without one, live events only.
 * The subscription must already be registered with the dispatcher, so that live frames published while
 * the history is read wait in its bounded buffer.
 */
@Component
public class SubscriptionStream {

    private static final Backlog NO_HISTORY = new Backlog(Flux.empty(), frame -> true);

    private final HistoryReader historyReader;

    public SubscriptionStream(HistoryReader historyReader) {
        this.historyReader = historyReader;
    }

    /**
     * What a session sends before its live frames, and which live frames it then passes on.
     *
     * @param history the frames from the cursor up to where live frames take over (empty without a cursor)
     * @param isLive whether a live frame lies past the history; the ones that do not were already in it
     */
    public record Backlog(Flux<Frame> history, Predicate<EventFrame> isLive) {
    }

    /**
     * Plans the session: for a cursor, opens the history (refused with {@link ReplayRefusedException} beyond the
     * replay limit).
     *
     * @param onStart told, before the first frame, the next offset per partition of the subscription's
     *        channels at the start of the stream; when given, even a live-only subscription reads the end
     *        offsets (SSE needs them for its event ids)
     */
    public Mono<Backlog> backlog(SubscribeRequest request, Consumer<Map<Integer, Long>> onStart) {
        if (request.cursor() instanceof Cursor.Live && onStart == null) {
            return Mono.just(NO_HISTORY);
        }
        return historyReader.open(request).doOnDiscard(Replay.class, Replay::close).map(replay -> {
            if (onStart != null) {
                onStart.accept(startPositions(request, replay));
            }
            return new Backlog(replay.history(), replay::isLive);
        });
    }

    /** The session's frames as one {@link Flux}: its {@link #backlog}, then the live frames past it. */
    public Flux<Frame> frames(SubscribeRequest request, Subscription subscription,
            Consumer<Map<Integer, Long>> onStart) {
        return backlog(request, onStart).flatMapMany(backlog -> backlog.history()
                .concatWith(subscription.frames().filter(backlog.isLive())));
    }

    private static Map<Integer, Long> startPositions(SubscribeRequest request, Replay replay) {
        // the positions before any history: where the client would resume if it received nothing
        return request.cursor() instanceof Cursor.Live ? replay.liveFrom() : replay.startPositions();
    }
}
