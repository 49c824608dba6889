package io.fanout.service.replay;

import java.util.List;
import java.util.Map;

/**
 * What to read from one partition: events of the channels in {@code startByChannel}, each from its own
 * start offset, up to (excluding) {@code end}, the partition's end when the subscription registered for
 * live events. {@code exactOffsets} (for {@code last=N}) are the offsets of exactly the wanted events,
 * ascending, fetched by seeking to each; otherwise {@code [scanFrom, end)} is scanned.
 */
record PartitionPlan(int partition, Map<String, Long> startByChannel, long end, List<Long> exactOffsets,
        long scanFrom) {

    static PartitionPlan scan(int partition, Map<String, Long> startByChannel, long end) {
        long from = startByChannel.values().stream().mapToLong(Long::longValue).min().orElse(end);
        return new PartitionPlan(partition, Map.copyOf(startByChannel), end, List.of(), Math.min(from, end));
    }

    static PartitionPlan exact(int partition, Map<String, Long> startByChannel, long end, List<Long> offsets) {
        return new PartitionPlan(partition, Map.copyOf(startByChannel), end, List.copyOf(offsets), end);
    }
}
