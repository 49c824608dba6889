package io.fanout.service.subscribe;

import io.fanout.schemas.Topics;
import io.fanout.service.subscribe.PartitionCursor.Mark;
import io.fanout.service.subscribe.SessionEnd.Reason;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One session's stream of frames: a catch-up subscription. It is in one of three states:
 * <ul>
 *   <li>{@link State#STARTING}: waiting for its start (a cursor's plan from the log readers, or for a live-only
 *       session the live consumer's first {@link LiveGrant});</li>
 *   <li>{@link State#READING_LOG}: its events come from the log, one bounded batch at a time from the shared log
 *       readers ({@link LogSource}), read only when its client has taken the previous batch;</li>
 *   <li>{@link State#LIVE}: its events are the live frames the {@link Dispatcher} offers.</li>
 * </ul>
 * It tracks, per partition, {@code next}: the next offset it has not handed to its client. Live frames are taken
 * only once a {@link LiveGrant} says from where the live consumer offers them ({@code liveFrom}) and the log has
 * been read up to there on every partition of its channels; a live frame below {@code next} is a duplicate and is
 * skipped. While it reads the log, live frames wait, up to {@code bufferSize} events and {@code bufferBytes}; beyond
 * that (or beyond 8 × {@code bufferSize} while LIVE and its client keeps up, or past the instance's byte budget) the
 * subscription drops them, forgets its grant and reads the log from {@code next} (a LIVE session says so with a
 * {@code catching-up} frame). So no event is lost or repeated, and a slow client costs one batch of memory, not a
 * close. It is closed ({@link #ended}) only when it is more than {@code maxLag} records behind the log end, or the
 * log cannot be read, or live delivery stops.
 *
 * <p>Threads: {@link #offer}, {@link #granted}, {@link #dropLive} run on the live consumer's thread;
 * {@link #planned}, {@link #logRead} on a log reader's; {@link #poll} and everything it decides run in the session's
 * drain, which is serialized (one socket's or SSE stream's writer, on its event loop). The drain owns the
 * positions and state; the other threads hand over through volatile fields and queues, then wake the drain.
 */
public final class Subscription {

    /** Where the session's events come from now. */
    public enum State {
        STARTING,
        READING_LOG,
        LIVE
    }

    /** Live frames that may wait while the drain keeps up: {@code bufferSize} times this. */
    static final int KEEPING_UP_FACTOR = 8;

    private final List<String> channels;
    private final Set<String> channelSet;
    private final String home;
    private final Cursor cursor;
    private final SubscribeProperties limits;
    private final Dispatcher dispatcher;
    private final LogSource logs;
    private final SessionMeters meters;
    private final int maxEventsPerSecond;

    // handed over by other threads
    private final Queue<LiveFrame> liveFrames = new ConcurrentLinkedQueue<>();
    private final AtomicInteger liveCount = new AtomicInteger();
    private final AtomicLong liveBytes = new AtomicLong();
    private volatile LiveGrant grant;
    /** The first grant, kept even if {@link #grant} is dropped before the drain started from it. */
    private volatile LiveGrant firstGrant;

    private volatile boolean liveRequested;
    private volatile StartPlan plan;
    private volatile LogBatch delivered;
    private volatile Runnable drain;
    private volatile boolean clientBlocked = true;
    private volatile boolean ended;
    private volatile State state = State.STARTING;
    private final Sinks.One<SessionEnd> end = Sinks.one();

    // owned by the drain
    private final Map<OriginPartition, Long> next = new HashMap<>();
    private final Set<OriginPartition> tracked = new TreeSet<>();
    private final Map<OriginPartition, ArrayDeque<Long>> exact = new HashMap<>();
    private final Map<OriginPartition, Long> exactEnd = new HashMap<>();
    /**
     * Per partition, per origin, the last Event record the stream passed (below {@code next}), for cursors; partitions
     * in order, so that {@link #cursorText} joins them in order.
     */
    private final TreeMap<Integer, TreeMap<String, Mark>> marks = new TreeMap<>();
    /** The partitions of {@link #tracked}: those {@link #cursorText} names. */
    private final Set<Integer> trackedPartitions = new HashSet<>();
    /**
     * Per partition, its cursor's text while it is known: the text a live frame carries, set as the stream passes it
     * (encoded once per event, shared by every session), or encoded here when asked after any other change.
     */
    private final Map<Integer, String> cursorTexts = new HashMap<>();
    /** {@link #cursorText} until a partition's cursor or the tracked partitions change; {@code null}: to be joined. */
    private String joinedCursor;

    private final ArrayDeque<Frame> controls = new ArrayDeque<>(4); // a few notices at a time: room grows
    /** Per channel and origin, the last {@code seq} the client has: its {@code seq=} hint, then what was sent. */
    private final Map<ChannelOrigin, Long> lastSeqs;
    /** Per origin partition, its latest truncation notice and the channels that got their own notice since. */
    private final Map<OriginPartition, TruncationNotice> truncations = new HashMap<>();

    private final Map<OriginPartition, Set<String>> truncationReported = new HashMap<>();
    /** An event of the log batch held back while its channel's truncation notice goes first. */
    private EventFrame heldFromLog;

    private SessionEnd refusal;
    private Map<OriginPartition, Long> origin = Map.of();
    private Iterator<EventFrame> batch;
    private LogBatch batchRead;
    private boolean readOutstanding;
    private boolean atLogEnd;
    private boolean fellBehind;
    private long logEventsSent;
    private long logStartedNanos;

    Subscription(
            String home,
            List<String> channels,
            Cursor cursor,
            SubscribeProperties limits,
            Dispatcher dispatcher,
            LogSource logs,
            SessionMeters meters,
            int maxEventsPerSecond) {
        this(home, channels, cursor, Map.of(), limits, dispatcher, logs, meters, maxEventsPerSecond);
    }

    /** @param lastSeqs the client's last {@code seq} per channel and origin ({@code seq=} hints) */
    Subscription(
            String home,
            List<String> channels,
            Cursor cursor,
            Map<ChannelOrigin, Long> lastSeqs,
            SubscribeProperties limits,
            Dispatcher dispatcher,
            LogSource logs,
            SessionMeters meters,
            int maxEventsPerSecond) {
        this.lastSeqs = new HashMap<>(lastSeqs);
        this.channels = List.copyOf(channels);
        this.channelSet = Set.copyOf(channels);
        this.home = home;
        this.cursor = cursor;
        this.limits = limits;
        this.dispatcher = dispatcher;
        this.logs = logs;
        this.meters = meters;
        this.maxEventsPerSecond = maxEventsPerSecond;
        meters.entered(State.STARTING);
    }

    public List<String> channels() {
        return channels;
    }

    /** The state now; any thread. */
    public State state() {
        return state;
    }

    /** Whether the session ended: nothing more is to be written for it. */
    public boolean ended() {
        return ended;
    }

    /** Emits when the server ends the session; the session's pipeline closes it with the matching code. */
    public Mono<SessionEnd> endedByServer() {
        return end.asMono();
    }

    // ---------------------------------------------------------------- other threads

    /**
     * Offers a live frame; live consumer thread only. Returns false when it is not taken (no grant, ended, or the
     * buffer bound passed: then the buffer is dropped and the session will catch up from the log).
     */
    boolean offer(LiveFrame frame) {
        if (ended || grant == null) {
            return false;
        }
        int size = frame.size();
        int limit =
                clientBlocked || state != State.LIVE ? limits.bufferSize() : limits.bufferSize() * KEEPING_UP_FACTOR;
        if (liveCount.get() >= limit
                || liveBytes.get() + size > limits.bufferBytes().toBytes()
                || !meters.reserve(size)) {
            dropLive();
            return false;
        }
        liveCount.incrementAndGet();
        liveBytes.addAndGet(size);
        liveFrames.offer(frame.retain());
        if (ended) {
            discardLive(); // end() ran on another thread between the check and the offer
        }
        return true;
    }

    /**
     * Stops taking live frames and drops those waiting; the drain then reads the log from {@code next}. Live consumer
     * thread (or whoever failed to offer a frame to this subscription).
     */
    void dropLive() {
        if (grant != null) {
            meters.droppedLive();
        }
        grant = null;
        discardLive();
        wake();
    }

    /** The live consumer's answer to {@link Dispatcher#requestLive}; its thread, between two polls. */
    void granted(LiveGrant liveGrant) {
        if (ended) {
            return;
        }
        if (firstGrant == null) {
            firstGrant = liveGrant;
        }
        grant = liveGrant;
        liveRequested = false;
        wake();
    }

    /** Where a cursor starts; a log reader's thread. */
    public void planned(StartPlan startPlan) {
        plan = startPlan;
        wake();
    }

    /** A batch read from the log; a log reader's thread. */
    public void logRead(LogBatch read) {
        delivered = read;
        wake();
    }

    /** Ends the session from the server's side: closes it with the code for {@code reason}; any thread. */
    public void fail(Reason reason, String detail) {
        if (!ended) {
            end.tryEmitValue(new SessionEnd(reason, detail));
            end();
        }
    }

    /** Tells the drain that something arrived; runs it on the caller's thread or schedules it. */
    void wake() {
        Runnable current = drain;
        if (current != null) {
            current.run();
        }
    }

    // ---------------------------------------------------------------- the drain

    /** Starts the session: asks for live frames and, for a cursor, for a plan; {@code drain} is run on each wake. */
    public void drainWith(Runnable drain, SubscribeRequest request) {
        this.drain = drain;
        dispatcher.register(this);
        requestLive(cursor instanceof Cursor.Live);
        if (!(cursor instanceof Cursor.Live)) {
            logs.plan(this, request);
        }
        drain.run();
    }

    /** The drain tells, each time it stops, whether it stopped because the client takes no more for now. */
    public void setClientBlocked(boolean blocked) {
        this.clientBlocked = blocked;
    }

    /**
     * The next frame to send, or {@code null} when there is none for now (the drain is woken when there is). The
     * caller owns what it gets: a {@link LiveFrame}'s reference is released by writing or {@link LiveFrame#release}.
     * Drain only.
     */
    public Frame poll() {
        while (!ended) {
            Frame control = controls.poll();
            if (control != null) {
                return control;
            }
            if (refusal != null) {
                fail(refusal.reason(), refusal.detail()); // after its notices
                return null;
            }
            switch (state) {
                case STARTING -> {
                    if (!start()) {
                        return null;
                    }
                }
                case LIVE -> {
                    if (grant == null) {
                        fallBack();
                        continue;
                    }
                    LiveFrame next = liveFrames.peek();
                    if (next == null) {
                        return null;
                    }
                    if (channelTruncationBefore(next.frame())) {
                        continue; // its channel's notice first; the frame stays queued
                    }
                    LiveFrame frame = liveFrames.poll();
                    if (frame != next) {
                        // the live consumer dropped the buffer (dropLive) between the two: the grant is gone, and
                        // what follows is read from the log
                        if (frame != null) {
                            taken(frame);
                            frame.release();
                        }
                        continue;
                    }
                    taken(frame);
                    if (!advance(frame.frame())) {
                        frame.release();
                        continue;
                    }
                    return frame;
                }
                case READING_LOG -> {
                    EventFrame event = nextFromLog();
                    if (event != null) {
                        return event;
                    }
                    if (!controls.isEmpty()) {
                        continue; // notices of the batch go first
                    }
                    if (!decideWhileReadingLog()) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    /** The next offset per origin partition of the subscription's channels (offsets of this region). Drain. */
    public Map<OriginPartition, Long> position() {
        Map<OriginPartition, Long> position = new TreeMap<>();
        for (OriginPartition partition : tracked) {
            position.put(partition, nextOf(partition));
        }
        return position;
    }

    /** {@link #position()} as a {@code from=} that resumes right here, in this region ({@link Positions}). Drain. */
    public String positionText() {
        return Positions.format(position(), home);
    }

    /**
     * The stream's region-independent position: one {@link PartitionCursor} per partition of its channels, joined by
     * {@code ,}, each naming the origins the stream has passed an Event of (or their beginning); a
     * {@code cursor=} (or {@code Last-Event-ID}) that resumes every channel right here. Empty while nothing is known.
     * Kept, not built per call: a partition whose marks are those of the last event passed there has that event's
     * text ({@link EventFrame#cursorText}, encoded once for every session), others are encoded when asked; the joined
     * text is the same object until a partition's marks or the partitions change. Drain.
     */
    public String cursorText() {
        String joined = joinedCursor;
        if (joined != null) {
            return joined;
        }
        String first = null;
        StringBuilder text = null;
        for (Map.Entry<Integer, TreeMap<String, Mark>> entry : marks.entrySet()) {
            int partition = entry.getKey();
            if (!trackedPartitions.contains(partition) || entry.getValue().isEmpty()) {
                continue;
            }
            String part = cursorTexts.get(partition);
            if (part == null) {
                part = new PartitionCursor(partition, entry.getValue()).encode();
                cursorTexts.put(partition, part);
            }
            if (first == null) {
                first = part;
            } else {
                if (text == null) {
                    text = new StringBuilder(first);
                }
                text.append(',').append(part);
            }
        }
        joined = text != null ? text.toString() : first != null ? first : "";
        joinedCursor = joined;
        return joined;
    }

    /** Stops taking frames and releases those waiting; idempotent, any thread. */
    public void end() {
        if (ended) {
            return;
        }
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            meters.left(state);
        }
        drain = null;
        discardLive();
        dispatcher.unregister(this);
    }

    private boolean start() {
        LiveGrant first = firstGrant;
        if (cursor instanceof Cursor.Live) {
            if (first == null) {
                return false; // the live consumer has no position yet (starting), or has not answered
            }
            origin = first.liveFrom();
            for (String channel : channels) {
                for (String region : first.origins()) {
                    track(new OriginPartition(region, Topics.partitionOf(channel, first.partitionCount())));
                }
            }
            Map<OriginPartition, Long> through = new HashMap<>();
            for (OriginPartition partition : tracked) {
                next.put(partition, first.pollStart().getOrDefault(partition, 0L));
                through.put(partition, first.liveFrom().getOrDefault(partition, 0L));
                Mark mark = first.marks().get(partition);
                if (mark != null) {
                    mark(partition, mark); // its cursor names every partition from the start
                }
            }
            // the events fetched while the request was made, so that none published meanwhile is lost
            batchRead = new LogBatch(List.of(), first.pollFrames(), through, Map.of(), true, 0);
            batch = batchRead.events().iterator();
            readOutstanding = true;
        } else {
            StartPlan startPlan = plan;
            if (startPlan == null) {
                return false;
            }
            next.putAll(startPlan.start());
            startPlan.start().keySet().forEach(this::track);
            startPlan.exact().forEach((partition, offsets) -> exact.put(partition, new ArrayDeque<>(offsets)));
            exactEnd.putAll(startPlan.exactEnd());
            startPlan.marks().forEach(this::mark);
            addNotices(startPlan.notices());
            refusal = startPlan.refusal();
        }
        controls.addFirst(ControlFrame.subscribed(channels, positionText(), cursorText()));
        enter(State.READING_LOG);
        logStartedNanos = System.nanoTime();
        return true;
    }

    /** The next event of the batch being sent, or null once it is all taken (then its read positions apply). */
    private EventFrame nextFromLog() {
        if (batch == null) {
            LogBatch read = delivered;
            if (read == null) {
                return null;
            }
            delivered = null;
            batchRead = read;
            batch = read.events().iterator();
            addNotices(read.notices());
            if (!controls.isEmpty()) {
                return null; // notices first: poll sends them, then comes back here
            }
        }
        while (heldFromLog != null || batch.hasNext()) {
            EventFrame event = heldFromLog != null ? heldFromLog : batch.next();
            heldFromLog = null;
            if (channelTruncationBefore(event)) {
                heldFromLog = event;
                return null; // its channel's notice first: poll sends it, then comes back here
            }
            if (advance(event)) {
                logEventsSent++;
                meters.sentFromLog(1);
                return event;
            }
        }
        batchRead.marks().forEach(this::mark);
        batchRead.readThrough().forEach((partition, through) -> {
            track(partition);
            ArrayDeque<Long> pending = exact.get(partition);
            if (pending != null) {
                while (!pending.isEmpty() && pending.peek() < through) {
                    pending.poll();
                }
                if (pending.isEmpty()) {
                    exact.remove(partition);
                    Long resume = exactEnd.remove(partition);
                    through = resume == null ? through : Math.max(through, resume);
                }
            }
            if (through > nextOf(partition)) {
                next.put(partition, through);
            }
        });
        atLogEnd = batchRead.atEnd();
        if (batchRead.lag() > limits.maxLag()) {
            meters.slowDisconnect();
            fail(
                    Reason.TOO_FAR_BEHIND,
                    "more than " + limits.maxLag() + " events behind; reconnect with from=" + truncatedPosition());
        }
        batch = null;
        batchRead = null;
        readOutstanding = false;
        return null;
    }

    /**
     * With nothing of the log left to send: goes live when caught up, asks for live frames when at the log end, or
     * asks for the next batch. Returns whether {@link #poll} should look again now.
     */
    private boolean decideWhileReadingLog() {
        if (readOutstanding || ended) {
            return false;
        }
        LiveGrant current = grant;
        LiveGrant first = firstGrant;
        if (first != null && origin.isEmpty()) {
            origin = first.liveFrom(); // partitions the plan did not name start where live delivery started
        }
        if (current != null && caughtUp(current)) {
            enter(State.LIVE);
            if (fellBehind) {
                controls.add(ControlFrame.live(positionText()));
            }
            return true;
        }
        if (current == null && atLogEnd) {
            if (!liveRequested) {
                requestLive(false);
            }
            return false; // the grant wakes the drain
        }
        readOutstanding = true;
        logs.read(this, readRequest(current));
        return false;
    }

    private boolean caughtUp(LiveGrant current) {
        if (!exact.isEmpty()) {
            return false;
        }
        for (OriginPartition partition : tracked) {
            if (nextOf(partition) < current.liveFrom().getOrDefault(partition, 0L)) {
                return false;
            }
        }
        return true;
    }

    private LogReadRequest readRequest(LiveGrant current) {
        Map<OriginPartition, Long> from = new HashMap<>();
        for (OriginPartition partition : tracked) {
            from.put(partition, nextOf(partition));
        }
        // a channel placed in another partition since (partitions were added), or an origin whose topic appeared
        // since: follow them too
        int count = current != null ? current.partitionCount() : 0;
        if (count > 0) {
            for (String region : current.origins()) {
                for (String channel : channels) {
                    OriginPartition partition = new OriginPartition(region, Topics.partitionOf(channel, count));
                    from.putIfAbsent(partition, nextOf(partition));
                }
            }
        }
        Map<OriginPartition, List<Long>> pending = new HashMap<>();
        exact.forEach((partition, offsets) -> pending.put(partition, List.copyOf(offsets)));
        Map<OriginPartition, Mark> known = new HashMap<>();
        from.keySet().forEach(partition -> {
            Mark mark = markOf(partition);
            if (mark != null) {
                known.put(partition, mark);
            }
        });
        long due = maxEventsPerSecond <= 0 ? 0 : logStartedNanos + logEventsSent * 1_000_000_000L / maxEventsPerSecond;
        return new LogReadRequest(
                channelSet,
                from,
                current == null ? null : current.liveFrom(),
                pending,
                Map.copyOf(exactEnd),
                known,
                due);
    }

    /** Records that {@code event} is handed over; false when it is a duplicate (below {@code next}). */
    private boolean advance(EventFrame event) {
        OriginPartition partition = event.source();
        if (event.offset() < nextOf(partition)) {
            return false;
        }
        next.put(partition, event.offset() + 1);
        track(partition);
        if (event.seq() > 0) {
            lastSeqs.put(new ChannelOrigin(event.channel(), event.origin()), event.seq());
        }
        PartitionCursor cursor = event.cursor();
        Map<String, Mark> passed = cursor.marks();
        if (!passed.isEmpty()) {
            TreeMap<String, Mark> known = marks.computeIfAbsent(event.partition(), p -> new TreeMap<>());
            known.putAll(passed);
            if (known.size() == passed.size() && cursor.partition() == event.partition()) {
                cursorTexts.put(event.partition(), event.cursorText()); // the same origins: the event's own text
            } else {
                cursorTexts.remove(event.partition());
            }
            joinedCursor = null;
        }
        return true;
    }

    /** Queues notices; a truncation also makes each channel of its partition get a notice before its next event. */
    private void addNotices(List<Frame> notices) {
        for (Frame notice : notices) {
            if (notice instanceof TruncationNotice truncation) {
                OriginPartition at = new OriginPartition(
                        truncation.origin() == null ? home : truncation.origin(), truncation.partition());
                truncations.put(at, truncation);
                truncationReported.put(at, new HashSet<>());
            }
            controls.add(notice);
        }
    }

    /**
     * Whether {@code event} is the first sequenced event of its channel in an origin partition since that partition's
     * truncation; then its channel's notice is queued ({@link TruncationNotice#forChannel}) and the event is to be sent
     * right after it. Drain.
     */
    private boolean channelTruncationBefore(EventFrame event) {
        if (event.seq() <= 0 || truncations.isEmpty()) {
            return false;
        }
        OriginPartition at = event.source();
        TruncationNotice truncation = truncations.get(at);
        if (truncation == null
                || event.offset() < nextOf(at)
                || !truncationReported.get(at).add(event.channel())) {
            return false;
        }
        long last = lastSeqs.getOrDefault(new ChannelOrigin(event.channel(), event.origin()), -1L);
        controls.add(truncation.forChannel(event.channel(), event.origin(), event.seq(), last));
        return true;
    }

    /** Records that the stream passed {@code mark} in {@code partition}. */
    private void mark(OriginPartition partition, Mark mark) {
        marks.computeIfAbsent(partition.partition(), p -> new TreeMap<>()).put(partition.origin(), mark);
        cursorTexts.remove(partition.partition());
        joinedCursor = null;
    }

    private Mark markOf(OriginPartition partition) {
        Map<String, Mark> known = marks.get(partition.partition());
        return known == null ? null : known.get(partition.origin());
    }

    /** Follows {@code partition}: its position is part of {@link #position()} and its cursor of the stream's. */
    private void track(OriginPartition partition) {
        if (tracked.add(partition) && trackedPartitions.add(partition.partition())) {
            joinedCursor = null;
        }
    }

    private long nextOf(OriginPartition partition) {
        Long known = next.get(partition);
        return known != null ? known : origin.getOrDefault(partition, 0L);
    }

    /** LIVE, and the grant was dropped (buffer bound, a failed delivery): back to the log from {@code next}. */
    private void fallBack() {
        discardLive();
        enter(State.READING_LOG);
        fellBehind = true;
        atLogEnd = false;
        logEventsSent = 0;
        logStartedNanos = System.nanoTime();
        controls.add(ControlFrame.catchingUp(positionText()));
    }

    private void requestLive(boolean withPollFrames) {
        liveRequested = true;
        dispatcher.requestLive(this, withPollFrames);
    }

    private synchronized void enter(State entered) {
        if (ended) {
            return;
        }
        State left = state;
        state = entered;
        meters.left(left);
        meters.entered(entered);
    }

    private void taken(LiveFrame frame) {
        liveCount.decrementAndGet();
        liveBytes.addAndGet(-frame.size());
        meters.free(frame.size());
    }

    private void discardLive() {
        LiveFrame frame;
        while ((frame = liveFrames.poll()) != null) {
            taken(frame);
            frame.release();
        }
    }

    /** The position for a close reason, cut so that the reason stays within 123 bytes. */
    private String truncatedPosition() {
        String text = positionText();
        return text.length() <= 60 ? text : "<last id>";
    }
}
