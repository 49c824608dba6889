package io.fanout.service.subscribe;

import io.fanout.service.subscribe.PartitionCursor.Mark;
import java.util.List;
import java.util.Map;

/**
 * One read of the log for one subscription, handed from a log reader to the subscription.
 *
 * @param notices truncation notices to send before the events
 * @param events the subscription's events read, in log order per origin partition, each with the cursor after it
 * @param readThrough per origin partition read: everything below this offset was looked at (events of the channels
 *     are in {@code events}, the rest was not theirs)
 * @param marks per origin partition read, the last Event record below {@code readThrough} (for cursors)
 * @param atEnd whether every partition read reached the log end seen by the reader
 * @param lag records between {@code readThrough} and the log end, summed over the partitions read
 */
public record LogBatch(
        List<Frame> notices,
        List<EventFrame> events,
        Map<OriginPartition, Long> readThrough,
        Map<OriginPartition, Mark> marks,
        boolean atEnd,
        long lag) {

    public LogBatch {
        notices = List.copyOf(notices);
        events = List.copyOf(events);
        readThrough = Map.copyOf(readThrough);
        marks = Map.copyOf(marks);
    }
}
