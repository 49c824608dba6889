package io.fanout.service.viewer;

import io.fanout.common.security.BearerTokens;
import io.fanout.service.replay.ReplayProperties;
import java.net.URI;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /channels} on fanout-service: the channel directory's list ({@code fanout.replay.directory-url}, the
 * ingest-service), passed through with its query, status and body, so that the live viewer served here can offer it
 * without a cross-origin request. The caller's token (header or {@code ?token=}) is passed on; the directory decides
 * what it may see. 503 problem when no directory is configured or it does not answer within 3 s.
 * Stateless; runs on the event loop (the WebClient call does not block).
 */
@RestController
class ChannelListController {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebClient client;

    ChannelListController(ReplayProperties properties) {
        String url = properties.directoryUrl();
        this.client = url == null || url.isBlank()
                ? null
                : WebClient.builder().baseUrl(url).build();
    }

    @GetMapping(path = "/channels", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<String>> channels(ServerHttpRequest request) {
        if (client == null) {
            return Mono.just(unavailable("no channel directory is configured (fanout.replay.directory-url)"));
        }
        URI uri = request.getURI();
        String query = uri.getRawQuery();
        String token = BearerTokens.resolve(request.getHeaders(), uri);
        return client.get()
                .uri(query == null ? "/channels" : "/channels?" + query)
                .headers(headers -> {
                    if (token != null) {
                        headers.setBearerAuth(token);
                    }
                })
                .exchangeToMono(response -> response.bodyToMono(String.class)
                        .defaultIfEmpty("")
                        .map(body -> ResponseEntity.status(response.statusCode())
                                .contentType(response.headers().contentType().orElse(MediaType.APPLICATION_JSON))
                                .body(body)))
                .timeout(TIMEOUT)
                .onErrorResume(e -> Mono.just(unavailable("the channel directory did not answer: " + e.getMessage())));
    }

    private static ResponseEntity<String> unavailable(String detail) {
        String body = "{\"type\":\"about:blank\",\"title\":\"Channel directory unavailable\",\"status\":503,\"detail\":"
                + JSON.writeValueAsString(String.valueOf(detail)) + "}";
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .header(HttpHeaders.RETRY_AFTER, "5")
                .body(body);
    }
}
