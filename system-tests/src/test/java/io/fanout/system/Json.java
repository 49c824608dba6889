package io.fanout.system;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON helpers for assertions. */
final class Json {

    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {}

    static JsonNode parse(String text) {
        return MAPPER.readTree(text);
    }

    static JsonNode parse(byte[] bytes) {
        return MAPPER.readTree(bytes);
    }
}
