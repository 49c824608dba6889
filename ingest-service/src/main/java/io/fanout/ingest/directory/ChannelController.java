package io.fanout.ingest.directory;

import io.fanout.common.security.ChannelAccess;
import io.fanout.schemas.Channels;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /channels}, {@code GET /channels/{name}} and {@code GET /channels/{name}/recent}: the channel
 * directory over HTTP. Every error is {@code application/problem+json}: 400 for a bad name or parameter,
 * 404 for a channel the directory does not know, 503 with {@code Retry-After} while the directory is
 * starting, rebalancing or cannot reach the instance that owns a channel.
 *
 * <p>With auth on, a token reads only channels it may subscribe to ({@code fanout.subscribe}): a listing holds only
 * those (a page may then be shorter than {@code limit}; follow {@code next} until it is {@code null}), and
 * {@code /channels/{name}} and {@code /recent} of any other channel answer 403. Calls between services carry an
 * internal token that may subscribe to every channel ({@code InternalCredentials}).
 */
@RestController
@ConditionalOnProperty(prefix = "fanout.directory", name = "enabled", havingValue = "true", matchIfMissing = true)
@RequestMapping(path = "/channels", produces = MediaType.APPLICATION_JSON_VALUE)
class ChannelController {

    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;
    static final int DEFAULT_RECENT = 10;

    private static final Logger log = LoggerFactory.getLogger(ChannelController.class);

    private final ChannelDirectory directory;
    private final ChannelAccess access;
    private final String retryAfterSeconds;

    ChannelController(ChannelDirectory directory, ChannelAccess access, Duration retryAfter) {
        this.directory = directory;
        this.access = access;
        this.retryAfterSeconds = Long.toString(Math.max(1, retryAfter.toSeconds()));
    }

    @GetMapping
    Mono<ChannelPage> list(
            @RequestParam(defaultValue = "") String prefix,
            @RequestParam(required = false) String after,
            @RequestParam(defaultValue = "" + DEFAULT_PAGE) int limit,
            @RequestHeader(name = ChannelDirectory.FORWARDED_HEADER, required = false) String forwarded) {
        if (!prefix.isEmpty()) {
            requireValid("prefix", prefix);
        }
        if (after != null) {
            requireValid("after", after);
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw badRequest("limit must be between 1 and " + MAX_PAGE + ", not " + limit);
        }
        return access.current()
                .flatMap(grants ->
                        directory.list(prefix, after, limit, forwarded != null).map(page -> page.readableWith(grants)));
    }

    @GetMapping("/{name}")
    Mono<ChannelInfo> channel(
            @PathVariable String name,
            @RequestHeader(name = ChannelDirectory.FORWARDED_HEADER, required = false) String forwarded) {
        requireValid("channel", name);
        return access.checkSubscribe(List.of(name)).then(directory.channel(name, forwarded != null));
    }

    @GetMapping("/{name}/recent")
    Mono<RecentOffsets> recent(
            @PathVariable String name,
            @RequestParam(defaultValue = "" + DEFAULT_RECENT) int limit,
            @RequestHeader(name = ChannelDirectory.FORWARDED_HEADER, required = false) String forwarded) {
        requireValid("channel", name);
        if (limit < 1) {
            throw badRequest("limit must be at least 1, not " + limit);
        }
        return access.checkSubscribe(List.of(name)).then(directory.recent(name, limit, forwarded != null));
    }

    @ExceptionHandler(UnknownChannelException.class)
    ResponseEntity<ProblemDetail> unknown(UnknownChannelException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND)
                .body(problem(HttpStatus.NOT_FOUND, "Unknown channel", e.getMessage()));
    }

    @ExceptionHandler(DirectoryUnavailableException.class)
    ResponseEntity<ProblemDetail> unavailable(DirectoryUnavailableException e) {
        log.debug("directory query refused: {}", e.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, retryAfterSeconds)
                .body(problem(HttpStatus.SERVICE_UNAVAILABLE, "Channel directory unavailable", e.getMessage()));
    }

    /** Bad parameters, ours and the framework's ({@code limit=banana}), and token refusals, as problem+json. */
    @ExceptionHandler(ErrorResponseException.class)
    ResponseEntity<ProblemDetail> invalid(ErrorResponseException e) {
        return ResponseEntity.status(e.getStatusCode()).headers(e.getHeaders()).body(e.getBody());
    }

    private static void requireValid(String what, String name) {
        String problem = Channels.problem(name);
        if (problem != null) {
            throw badRequest(what + ": " + problem);
        }
    }

    private static ErrorResponseException badRequest(String detail) {
        return new ErrorResponseException(
                HttpStatus.BAD_REQUEST, problem(HttpStatus.BAD_REQUEST, "Invalid directory request", detail), null);
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }
}
