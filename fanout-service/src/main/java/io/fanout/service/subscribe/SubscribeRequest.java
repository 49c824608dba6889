package io.fanout.service.subscribe;

import java.util.List;
import java.util.Map;

/**
 * A validated subscription: distinct valid channel names, in the order given, one cursor, and the client's last
 * {@code seq} per channel and origin ({@code seq=<channel>~<origin>~<n>}), from which a {@code truncated} notice counts
 * exactly what retention took.
 */
public record SubscribeRequest(List<String> channels, Cursor cursor, Map<ChannelOrigin, Long> lastSeqs) {

    public SubscribeRequest {
        channels = List.copyOf(channels);
        lastSeqs = Map.copyOf(lastSeqs);
    }

    public SubscribeRequest(List<String> channels, Cursor cursor) {
        this(channels, cursor, Map.of());
    }

    /** The single channel, or {@code null} when the request follows several. */
    public String singleChannel() {
        return channels.size() == 1 ? channels.get(0) : null;
    }
}
