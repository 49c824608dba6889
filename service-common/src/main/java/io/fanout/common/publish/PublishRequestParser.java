package io.fanout.common.publish;

import io.fanout.schemas.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns publish bodies into {@link PublishRequest}s, refusing anything that does not follow the contract
 * with an {@link InvalidPublishException} whose message says what to fix. Thread-safe.
 *
 * <p>A body is {@code {"channel": "...", "message": <any JSON value>}}; {@code channel} is optional and
 * defaults to {@link Channels#DEFAULT}; a WebSocket publish object may also carry {@code "id"}, its idempotency key.
 * Unknown fields are refused rather than ignored, so that a typo
 * such as {@code "chanel"} never publishes to the default channel by accident.
 */
public final class PublishRequestParser {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** Valid bodies, in one streaming pass; the tree below answers the rest, with its errors. */
    static final PublishBodyScanner SCANNER = new PublishBodyScanner(MAPPER);

    private PublishRequestParser() {}

    /**
     * Parses the body of {@code POST /push}. The message is the client's JSON text with the whitespace between its
     * tokens removed (escapes and number spellings as sent); a body the streaming scan does not take is parsed as a
     * tree, which says what is wrong with it.
     */
    public static PublishRequest parseOne(byte[] body) {
        PublishRequest scanned = SCANNER.one(body);
        return scanned != null ? scanned : toRequest(readTree(body), "");
    }

    /**
     * {@link #parseOne} with the request's {@code Idempotency-Key} header ({@code null}: none), which must pass
     * {@link #requireIdempotencyKey}.
     */
    public static PublishRequest parseOne(byte[] body, String idempotencyKey) {
        PublishRequest request = parseOne(body);
        return idempotencyKey == null ? request : request.withIdempotencyKey(requireIdempotencyKey(idempotencyKey));
    }

    /** Parses the body of {@code POST /push/batch}: a JSON array of publish objects, at most {@code maxItems}. */
    public static List<PublishRequest> parseBatch(byte[] body, int maxItems) {
        List<PublishRequest> scanned = SCANNER.batch(body, maxItems);
        if (scanned != null) {
            return scanned;
        }
        JsonNode tree = readTree(body);
        if (!tree.isArray()) {
            throw new InvalidPublishException("body must be a JSON array of {\"channel\", \"message\"} objects");
        }
        if (tree.isEmpty()) {
            throw new InvalidPublishException("batch must not be empty");
        }
        if (tree.size() > maxItems) {
            throw new InvalidPublishException(
                    "batch has " + tree.size() + " items; at most " + maxItems + " are allowed");
        }
        List<PublishRequest> requests = new ArrayList<>(tree.size());
        for (int i = 0; i < tree.size(); i++) {
            requests.add(toRequest(tree.get(i), "item " + i + ": "));
        }
        return requests;
    }

    /**
     * Parses a text frame a WebSocket client sent. A JSON object with a {@code message} field is a publish
     * object (its {@code channel} defaulting to {@code socketChannel}); any other JSON value is the message
     * itself; text that is not JSON is published as a JSON string.
     *
     * @param socketChannel the channel of the socket, or {@code null} when the socket follows several
     */
    public static SocketPublish parseFrame(String text, String socketChannel) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(text);
        } catch (JacksonException notJson) {
            tree = MAPPER.getNodeFactory().stringNode(text);
        }
        if (tree == null || tree.isMissingNode()) {
            tree = MAPPER.getNodeFactory().stringNode(text);
        }
        if (tree.isObject() && tree.has("message")) {
            JsonNode channel = tree.get("channel");
            if (channel == null && socketChannel == null) {
                throw new InvalidPublishException("this socket follows several channels: name one in \"channel\"");
            }
            String key = null;
            if (tree.has("id")) {
                JsonNode id = ((tools.jackson.databind.node.ObjectNode) tree).remove("id");
                if (!id.isString()) {
                    throw new InvalidPublishException("\"id\" (the idempotency key) must be a string");
                }
                key = requireIdempotencyKey(id.stringValue());
            }
            return new SocketPublish(toRequest(tree, "", socketChannel).withIdempotencyKey(key), true);
        }
        if (socketChannel == null) {
            throw new InvalidPublishException(
                    "this socket follows several channels: send {\"channel\": \"...\", \"message\": ...}");
        }
        return new SocketPublish(new PublishRequest(socketChannel, MAPPER.writeValueAsString(tree)), false);
    }

    /**
     * Returns {@code key} when it is a valid idempotency key (1–200 visible ASCII characters).
     *
     * @throws InvalidPublishException otherwise
     */
    public static String requireIdempotencyKey(String key) {
        String problem = IdempotencyKeys.problem(key);
        if (problem != null) {
            throw new InvalidPublishException(problem);
        }
        return key;
    }

    private static JsonNode readTree(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidPublishException("body is empty; send {\"channel\": \"...\", \"message\": ...}");
        }
        try {
            JsonNode tree = MAPPER.readTree(body);
            if (tree == null || tree.isMissingNode()) {
                throw new InvalidPublishException("body holds no JSON value");
            }
            return tree;
        } catch (JacksonException e) {
            throw new InvalidPublishException("body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static PublishRequest toRequest(JsonNode node, String where) {
        return toRequest(node, where, Channels.DEFAULT);
    }

    private static PublishRequest toRequest(JsonNode node, String where, String defaultChannel) {
        if (!node.isObject()) {
            throw new InvalidPublishException(where + "must be a JSON object {\"channel\": \"...\", \"message\": ...}");
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = field.getKey();
            if (!name.equals("channel") && !name.equals("message")) {
                throw new InvalidPublishException(
                        where + "unknown field \"" + name + "\"; allowed are \"channel\" and \"message\"");
            }
        }
        JsonNode message = node.get("message");
        if (message == null) {
            throw new InvalidPublishException(where + "\"message\" is missing");
        }
        String channel = defaultChannel;
        JsonNode channelNode = node.get("channel");
        if (channelNode != null) {
            if (!channelNode.isString()) {
                throw new InvalidPublishException(where + "\"channel\" must be a string");
            }
            channel = channelNode.stringValue();
        }
        String problem = Channels.problem(channel);
        if (problem != null) {
            throw new InvalidPublishException(where + problem);
        }
        return new PublishRequest(channel, MAPPER.writeValueAsString(message));
    }
}
