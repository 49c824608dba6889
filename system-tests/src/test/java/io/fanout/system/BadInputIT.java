package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.testsupport.WsTestClient;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

/** Every bad input of the contract gets its status or close code, and the services keep serving. */
class BadInputIT {

    private final Platform platform = Platform.get();

    @ParameterizedTest(name = "{0} -> 400 mentioning {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"channel\":\"a\",                 | not valid JSON",
                "{\"channel\":\"a\"}                 | \"message\" is missing",
                "{\"channel\":\"a b\",\"message\":1} | channel contains U+0020 at position 1",
                "{\"channel\":\"\",\"message\":1}    | channel must not be empty",
                "{\"channel\":7,\"message\":1}       | \"channel\" must be a string",
                "{\"chanel\":\"a\",\"message\":1}    | unknown field \"chanel\"",
                "[1,2]                               | must be a JSON object",
                "{\"message\":1} trailing            | not valid JSON",
                "{\"message\":1,\"message\":2}       | not valid JSON",
            })
    void shouldRefuseBadPushBodiesWith400(String body, String detail) {
        assertProblem(
                platform.ingestClient()
                        .post()
                        .uri("/push")
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(body)
                        .exchange()
                        .expectStatus()
                        .isBadRequest()
                        .expectHeader()
                        .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                        .expectBody()
                        .returnResult()
                        .getResponseBody(),
                400,
                detail);
        assertServesANormalPush();
    }

    @Test
    void shouldRefuseAnEmptyBodyWith400() {
        platform.ingestClient()
                .post()
                .uri("/push")
                .contentType(MediaType.APPLICATION_JSON)
                .exchange()
                .expectStatus()
                .isBadRequest();
        assertServesANormalPush();
    }

    @Test
    void shouldRefuseABadBatchItemNamingItsIndexAndPublishNothing() throws Exception {
        String ok = "batch-ok." + UUID.randomUUID();
        byte[] body = platform.ingestClient()
                .post()
                .uri("/push/batch")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("[{\"channel\":\"" + ok + "\",\"message\":1},{\"channel\":\"no/slash\",\"message\":2}]")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .returnResult()
                .getResponseBody();
        assertProblem(body, 400, "item 1: channel contains '/'");
        // the valid first item was not written either: the last event of its channel is a marker sent now
        platform.ingestClient()
                .post()
                .uri("/push")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"channel\":\"" + ok + "\",\"message\":\"marker\"}")
                .exchange()
                .expectStatus()
                .isOk();
        try (WsTestClient client = WsTestClient.connect(platform.events("channel=" + ok + "&last=2"))) {
            JsonNode only = Json.parse(client.take(1, Duration.ofSeconds(20)).get(0));
            assertThat(only.get("message").stringValue()).isEqualTo("marker");
            assertThat(client.poll(Duration.ofMillis(500))).isNull();
        }
        platform.ingestClient()
                .post()
                .uri("/push/batch")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"message\":1}")
                .exchange()
                .expectStatus()
                .isBadRequest();
        platform.ingestClient()
                .post()
                .uri("/push/batch")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("[]")
                .exchange()
                .expectStatus()
                .isBadRequest();
    }

    @Test
    void shouldRefuseABodyOverTheLimitWith413() {
        String big = "{\"message\":\"" + "x".repeat(300 * 1024) + "\"}";
        byte[] body = platform.ingestClient()
                .post()
                .uri("/push")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(big)
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
                .expectBody()
                .returnResult()
                .getResponseBody();
        assertProblem(body, 413, "at most 262144 bytes");
        assertServesANormalPush();
    }

    @Test
    void shouldRefuseAStreamedBodyOverTheLimitWith413() {
        // no Content-Length: the body arrives chunked and is refused once it passes the limit
        Flux<String> chunks = Flux.range(0, 40).map(i -> i == 0 ? "{\"message\":\"" : "x".repeat(8 * 1024));
        byte[] body = platform.ingestClient()
                .post()
                .uri("/push")
                .contentType(MediaType.APPLICATION_JSON)
                .body(BodyInserters.fromPublisher(chunks, String.class))
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
                .expectBody()
                .returnResult()
                .getResponseBody();
        assertProblem(body, 413, "at most 262144 bytes");
        assertServesANormalPush();
    }

    @Test
    void shouldRefuseOtherContentTypesWith415() {
        platform.ingestClient()
                .post()
                .uri("/push")
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue("{\"message\":1}")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        platform.ingestClient()
                .post()
                .uri("/push")
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("message=1")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
        assertServesANormalPush();
    }

    @ParameterizedTest(name = "/events?{0} closes with 1008")
    @ValueSource(
            strings = {
                "channel=bad%20channel",
                "channel=",
                "channel=a/b",
                "from=banana",
                "last=-5",
                "last=0",
                "from=1&last=3",
                "since=yesterday",
                "from=1&from=2",
                "channel=ok&since=-1"
            })
    void shouldCloseBadSubscriptionsWith1008AndAReason(String query) {
        try (WsTestClient client = WsTestClient.connect(platform.events(query))) {
            WsTestClient.CloseStatus status = client.awaitClose(Duration.ofSeconds(10));
            assertThat(status).isNotNull();
            assertThat(status.code()).isEqualTo(1008);
            assertThat(status.reason()).isNotBlank();
        }
        assertServesANormalPush();
    }

    private void assertServesANormalPush() {
        platform.ingestClient()
                .post()
                .uri("/push")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"channel\":\"after-bad-input." + UUID.randomUUID() + "\",\"message\":true}")
                .exchange()
                .expectStatus()
                .isOk();
    }

    private static void assertProblem(byte[] body, int status, String detail) {
        JsonNode problem = Json.parse(body);
        assertThat(problem.get("status").intValue()).isEqualTo(status);
        assertThat(problem.get("detail").stringValue()).contains(detail);
        assertThat(problem.get("title").stringValue()).isNotBlank();
    }
}
