package io.fanout.ingest.directory;

import io.fanout.common.security.ChannelGrants;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One page of {@code GET /channels}: channels sorted by name, and the name to pass as {@code after=} for
 * the next page ({@code null} on the last page).
 */
record ChannelPage(List<ChannelInfo> channels, String next) {

    static final ChannelPage EMPTY = new ChannelPage(List.of(), null);

    /**
     * This page without the channels {@code grants} may not subscribe to; {@code next} stays, so a client paging
     * through still reaches every channel it may read.
     */
    ChannelPage readableWith(ChannelGrants grants) {
        if (grants.subscribe().contains("*")) {
            return this;
        }
        return new ChannelPage(
                channels.stream()
                        .filter(info -> grants.canSubscribe(info.channel()))
                        .toList(),
                next);
    }

    /**
     * Merges pages of disjoint channel sets (one per partition or per instance), each sorted and each the
     * first {@code limit} of its set, into the first {@code limit} of their union.
     */
    static ChannelPage merge(List<ChannelPage> pages, int limit) {
        List<ChannelInfo> all = new ArrayList<>();
        boolean more = false;
        for (ChannelPage page : pages) {
            all.addAll(page.channels());
            more |= page.next() != null;
        }
        all.sort(Comparator.comparing(ChannelInfo::channel));
        if (all.size() > limit) {
            more = true;
            all = all.subList(0, limit);
        }
        return new ChannelPage(
                List.copyOf(all),
                more && !all.isEmpty() ? all.get(all.size() - 1).channel() : null);
    }
}
