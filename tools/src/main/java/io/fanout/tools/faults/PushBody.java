package io.fanout.tools.faults;

import java.nio.charset.StandardCharsets;

/** The body of a numbered {@code POST /push}: {@code {"channel":C,"message":{"n":N,"t":millis[,"pad":P]}}}. */
final class PushBody {

    private PushBody() {}

    static byte[] of(String channel, long n, String pad) {
        String body = "{\"channel\":\"" + channel + "\",\"message\":{\"n\":" + n + ",\"t\":"
                + System.currentTimeMillis() + (pad == null ? "" : ",\"pad\":\"" + pad + "\"") + "}}";
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
