package io.fanout.service.subscribe;

import java.util.List;

/** A validated subscription: distinct valid channel names, in the order given, and one cursor. */
public record SubscribeRequest(List<String> channels, Cursor cursor) {

    public SubscribeRequest {
        channels = List.copyOf(channels);
    }

    /** The single channel, or {@code null} when the request follows several. */
    public String singleChannel() {
        return channels.size() == 1 ? channels.get(0) : null;
    }
}
