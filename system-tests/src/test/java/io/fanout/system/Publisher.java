package io.fanout.system;

import io.fanout.testsupport.PublishBatches;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

/** Publishes through ingest-service's public API ({@code POST /push}, {@code POST /push/batch}) and keeps the acks. */
final class Publisher {

    private final Platform platform;

    Publisher(Platform platform) {
        this.platform = platform;
    }

    JsonNode push(String channel, String messageJson) {
        return Json.parse(platform.ingestClient()
                .post()
                .uri("/push")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"channel\":\"" + channel + "\",\"message\":" + messageJson + "}")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody());
    }

    /** Publishes messages {@code from..to-1} (numbers) to {@code channel} in batches; returns the acks in order. */
    List<JsonNode> numbers(String channel, int from, int to, int batchSize) {
        return batches(channel, from, to, batchSize, Integer::toString);
    }

    /**
     * Publishes one event per number {@code from..to-1} to {@code channel}, in batches of {@code batchSize}, the
     * message of number {@code n} being the JSON {@code message.apply(n)}; returns the acks in order.
     */
    List<JsonNode> batches(String channel, int from, int to, int batchSize, IntFunction<String> message) {
        List<JsonNode> acks = new ArrayList<>();
        for (int start = from; start < to; start += batchSize) {
            JsonNode answer = Json.parse(platform.ingestClient()
                    .post()
                    .uri("/push/batch")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(PublishBatches.of(channel, start, Math.min(to, start + batchSize), message))
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .returnResult()
                    .getResponseBody());
            answer.forEach(acks::add);
        }
        return acks;
    }

    /** The message {@code {"n":n,"pad":"yyy…"}}, its pad {@code padBytes} long. */
    static IntFunction<String> padded(int padBytes) {
        String pad = "\"" + "y".repeat(padBytes) + "\"";
        return n -> "{\"n\":" + n + ",\"pad\":" + pad + "}";
    }
}
