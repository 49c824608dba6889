package io.fanout.common.error;

import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A refusal fanout answers on purpose, with everything every plane needs to say it, decided here once:
 * <ul>
 *   <li>HTTP: the status and an RFC 9457 problem ({@link #getBody()}: title, {@code detail} a person can act on),
 *       plus {@code Retry-After} when {@link #retryLater()} ({@code fanout.publish.retry-after});</li>
 *   <li>WebSocket error frame {@code {"type":"error","status":...,"detail":...}}: the same status and detail
 *       (and {@code "retryAfter"} seconds when {@link #retryLater()});</li>
 *   <li>WebSocket close, where the refusal ends a socket: {@link #closeCode()}.</li>
 * </ul>
 * Subclasses fix the status, title and close code; only the detail varies. {@link #getMessage()} is the detail.
 */
public abstract class FanoutException extends ErrorResponseException {

    /** RFC 6455 1008: policy violation (bad request, token or channel). */
    public static final int CLOSE_POLICY_VIOLATION = 1008;
    /** RFC 6455 1009: message too big. */
    public static final int CLOSE_TOO_BIG = 1009;
    /** RFC 6455 registry 1013: try again later. */
    public static final int CLOSE_TRY_AGAIN_LATER = 1013;

    private final int closeCode;
    private final boolean retryLater;

    protected FanoutException(
            HttpStatus status, String title, String detail, int closeCode, boolean retryLater, Throwable cause) {
        super(status, problem(status, title, detail), cause);
        this.closeCode = closeCode;
        this.retryLater = retryLater;
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }

    /** The HTTP status, which is also the {@code status} of a WebSocket error frame. */
    public int status() {
        return getStatusCode().value();
    }

    /** The WebSocket close code when this refusal ends a socket. */
    public int closeCode() {
        return closeCode;
    }

    /** Whether the same request may succeed later: then answers carry {@code Retry-After}. */
    public boolean retryLater() {
        return retryLater;
    }

    public String detail() {
        return getBody().getDetail();
    }

    @Override
    public String getMessage() {
        return detail();
    }

    /**
     * {@code error} as fanout answers it: itself when it is a {@link FanoutException}, else a 503 (unexpected
     * failures are reported as "retry later", never as a 5xx of our own making).
     */
    public static FanoutException of(Throwable error) {
        if (error instanceof FanoutException known) {
            return known;
        }
        return new Unexpected(error);
    }

    /**
     * The WebSocket error frame for {@code error}: {@code {"type":"error","status":<HTTP status>,"detail":"..."}},
     * with {@code "retryAfter":<seconds>} when the same request may succeed later.
     */
    public static String errorFrame(Throwable error, Duration retryAfter) {
        FanoutException refusal = of(error);
        StringBuilder frame = new StringBuilder(96)
                .append("{\"type\":\"error\",\"status\":")
                .append(refusal.status())
                .append(",\"detail\":")
                .append(JSON.writeValueAsString(String.valueOf(refusal.detail())));
        if (refusal.retryLater()) {
            frame.append(",\"retryAfter\":").append(retryAfterSeconds(retryAfter));
        }
        return frame.append('}').toString();
    }

    /** {@code Retry-After} in whole seconds, at least 1. */
    public static long retryAfterSeconds(Duration retryAfter) {
        return Math.max(1, retryAfter.toSeconds());
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final class Unexpected extends FanoutException {

        Unexpected(Throwable cause) {
            super(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "Unavailable",
                    "the request could not be completed: " + cause.getMessage() + "; retry shortly",
                    CLOSE_TRY_AGAIN_LATER,
                    true,
                    cause);
        }
    }
}
