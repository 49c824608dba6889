package io.fanout.testsupport;

import java.util.function.IntFunction;

/** The bodies of {@code POST /push/batch} that tests send: numbered events to one channel. */
public final class PublishBatches {

    private PublishBatches() {}

    /**
     * A JSON array with one publish object per number {@code from..to-1}, all to {@code channel}, the message of
     * number {@code n} being the JSON text {@code message.apply(n)}.
     */
    public static String of(String channel, int from, int to, IntFunction<String> message) {
        StringBuilder batch = new StringBuilder("[");
        for (int n = from; n < to; n++) {
            batch.append(n > from ? "," : "")
                    .append("{\"channel\":\"")
                    .append(channel)
                    .append("\",\"message\":")
                    .append(message.apply(n))
                    .append('}');
        }
        return batch.append(']').toString();
    }
}
