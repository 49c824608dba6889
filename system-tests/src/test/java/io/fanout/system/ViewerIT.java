package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.testsupport.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The live viewer on fanout-service: the page and its assets (the JavaScript client copied in from clients/js),
 * the directory's channel list passed through on the same origin, and the page reachable without a token when auth
 * is on while everything else still needs one. The page itself runs in Chromium in clients/viewer-test.
 */
class ViewerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final MediaType JAVASCRIPT = MediaType.parseMediaType("text/javascript");
    private static final MediaType CSS = MediaType.parseMediaType("text/css");

    private static String get(WebTestClient client, String path, MediaType type) {
        byte[] body = client.get()
                .uri(path)
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentTypeCompatibleWith(type)
                .expectBody()
                .returnResult()
                .getResponseBody();
        return new String(body, StandardCharsets.UTF_8);
    }

    @Test
    void shouldServeTheViewerPageWithTheJavaScriptClient() {
        Platform platform = Platform.get();
        String page = get(platform.fanoutClient(), "/", MediaType.TEXT_HTML);
        assertThat(page).contains("assets/viewer.js").contains(">Message").contains(">Publish</button>");
        assertThat(get(platform.fanoutClient(), "/assets/viewer.js", JAVASCRIPT))
                .contains("from './client/index.js'");
        assertThat(get(platform.fanoutClient(), "/assets/client/index.js", JAVASCRIPT))
                .contains("export class FanoutClient");
        assertThat(get(platform.fanoutClient(), "/assets/client/position.js", JAVASCRIPT))
                .contains("export class ResumePosition");
    }

    @Test
    void shouldPassTheDirectorysChannelListThrough() {
        Platform platform = Platform.get();
        String channel = "viewer-list-" + System.nanoTime();
        platform.ingestClient()
                .post()
                .uri("/push")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"channel\":\"" + channel + "\",\"message\":1}")
                .exchange()
                .expectStatus()
                .isOk();
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode list = Json.parse(platform.fanoutClient()
                    .get()
                    .uri("/channels?prefix=" + channel)
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .returnResult()
                    .getResponseBody());
            assertThat(list.get("channels").size()).isEqualTo(1);
            assertThat(list.get("channels").get(0).get("channel").stringValue()).isEqualTo(channel);
        });
    }

    @Test
    void shouldServeThePageWithoutATokenWhenAuthIsOnButNotTheRest() {
        String topic = TestKafka.newTopic("fanout.events.viewer", 2);
        try (Platform platform = Platform.fanoutOnly(
                topic,
                "--fanout.auth.enabled=true",
                "--fanout.auth.hmac-secret=test-secret-of-at-least-32-bytes-0123456789",
                "--fanout.replay.directory-url=")) {
            assertThat(get(platform.fanoutClient(), "/", MediaType.TEXT_HTML)).contains(">Publish</button>");
            get(platform.fanoutClient(), "/index.html", MediaType.TEXT_HTML);
            get(platform.fanoutClient(), "/assets/viewer.css", CSS);
            get(platform.fanoutClient(), "/assets/client/index.js", JAVASCRIPT);
            platform.fanoutClient()
                    .get()
                    .uri("/channels")
                    .exchange()
                    .expectStatus()
                    .isEqualTo(HttpStatus.UNAUTHORIZED);
            platform.fanoutClient()
                    .get()
                    .uri("/sse?channel=orders")
                    .exchange()
                    .expectStatus()
                    .isEqualTo(HttpStatus.UNAUTHORIZED);
        }
    }
}
