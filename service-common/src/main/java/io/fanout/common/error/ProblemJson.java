package io.fanout.common.error;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of an RFC 9457 problem as the HTTP API writes it wherever the refusal is decided:
 * {@code {"type":"about:blank","title","status","detail","instance"}}, the fields and order Spring writes for a
 * {@code ProblemDetail}.
 */
public final class ProblemJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemJson() {}

    /** The problem's JSON, UTF-8; {@code instance} is the request's path. */
    public static byte[] of(int status, String title, String detail, String instance) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", instance);
        return JSON.writeValueAsString(problem).getBytes(StandardCharsets.UTF_8);
    }

    /** {@link #of} for a refusal. */
    public static byte[] of(FanoutException refusal, String instance) {
        return of(refusal.status(), refusal.getBody().getTitle(), refusal.detail(), instance);
    }
}
