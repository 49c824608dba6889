package io.fanout.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;

/** /sse: the same events and cursors as /events; Last-Event-ID resumes with no loss and no duplicate. */
class SseIT {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
            new ParameterizedTypeReference<>() {};
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Platform platform = Platform.get();
    private final Publisher publisher = new Publisher(platform);
    private final WebClient client = WebClient.create("http://127.0.0.1:" + platform.fanoutPort());

    private List<ServerSentEvent<String>> take(String query, String lastEventId, int count) {
        return client.get()
                .uri("/sse?" + query)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .headers(h -> {
                    if (lastEventId != null) {
                        h.set("Last-Event-ID", lastEventId);
                    }
                })
                .retrieve()
                .bodyToFlux(SSE)
                .filter(event -> event.data() != null)
                .take(count)
                .collectList()
                .block(WAIT);
    }

    @Test
    void shouldResumeSeveralChannelsThroughLastEventIdWithNoLossAndNoDuplicate() {
        String a = "sse.a." + UUID.randomUUID();
        String b = "sse.b." + UUID.randomUUID();
        List<JsonNode> acks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            acks.add(publisher.push(i % 2 == 0 ? a : b, Integer.toString(i)));
        }
        // from the first event of each channel, per partition (the topic is shared with other tests)
        java.util.Map<Integer, Long> firstOffsets = new java.util.TreeMap<>();
        acks.forEach(ack -> firstOffsets.merge(
                ack.get("partition").intValue(), ack.get("offset").longValue(), Math::min));
        String from = firstOffsets.entrySet().stream()
                .map(e -> e.getKey() + ":" + e.getValue())
                .collect(java.util.stream.Collectors.joining(","));
        String query = "channel=" + a + "&channel=" + b + "&from=" + from;

        List<ServerSentEvent<String>> firstPart = take(query, null, 4);
        assertThat(firstPart).allSatisfy(event -> {
            assertThat(event.id()).isNotBlank();
            assertThat(event.event()).isEqualTo("message");
        });
        String lastId = firstPart.get(3).id();

        for (int i = 10; i < 14; i++) {
            acks.add(publisher.push(i % 2 == 0 ? a : b, Integer.toString(i)));
        }
        List<ServerSentEvent<String>> rest = take(query, lastId, 10);

        List<String> seen = new ArrayList<>();
        firstPart.forEach(e -> seen.add(Json.parse(e.data()).get("id").stringValue()));
        rest.forEach(e -> seen.add(Json.parse(e.data()).get("id").stringValue()));
        assertThat(seen)
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(
                        acks.stream().map(ack -> ack.get("id").stringValue()).toList());
        // within each channel, the order of publishing
        for (String channel : List.of(a, b)) {
            List<Integer> messages = new ArrayList<>();
            firstPart.forEach(e -> addIfChannel(messages, e, channel));
            rest.forEach(e -> addIfChannel(messages, e, channel));
            assertThat(messages).isSorted();
        }
    }

    @Test
    void shouldStreamAnEventLargerThanTheWritersBuffersBetweenSmallOnesIntact() {
        String channel = "sse.large." + UUID.randomUUID();
        String large = "x".repeat(200_000); // past the event loop's scratch buffer, which is then let go
        JsonNode first = publisher.push(channel, "1");
        publisher.push(channel, "{\"text\":\"" + large + "\"}");
        publisher.push(channel, "3");
        String query = "channel=" + channel + "&from=" + first.get("partition").intValue() + ":"
                + first.get("offset").longValue();

        for (int reader = 0; reader < 2; reader++) { // the second reads through the buffer the first left behind
            List<ServerSentEvent<String>> events = take(query, null, 3);

            assertThat(events).hasSize(3);
            assertThat(Json.parse(events.get(0).data()).get("message").intValue())
                    .isEqualTo(1);
            assertThat(Json.parse(events.get(1).data())
                            .get("message")
                            .get("text")
                            .stringValue())
                    .isEqualTo(large);
            assertThat(Json.parse(events.get(2).data()).get("message").intValue())
                    .isEqualTo(3);
        }
    }

    @Test
    void shouldRefuseABadCursorWith400ProblemJson() {
        platform.fanoutClient()
                .get()
                .uri("/sse?channel=x&last=-5")
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }

    private static void addIfChannel(List<Integer> messages, ServerSentEvent<String> event, String channel) {
        JsonNode frame = Json.parse(event.data());
        if (frame.get("channel").stringValue().equals(channel)) {
            messages.add(frame.get("message").intValue());
        }
    }
}
