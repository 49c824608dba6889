package io.fanout.common.publish;

import io.fanout.schemas.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a valid publish body in one pass of a streaming parser, without building a tree: takes {@code channel} and
 * copies the {@code message} value's JSON text out of the body as it is (whitespace between tokens removed, so it is
 * compact; string escapes and number spellings are kept as the client wrote them). Every token of the message is
 * still read as the tree parser would read it (strings decoded, numbers converted), and the parser has the same
 * features ({@link PublishRequestParser}'s mapper: duplicate names refused), so a body passes here only if the tree
 * parser would accept it too.
 *
 * <p>Anything else (a problem of any kind, a body that is not plain UTF-8, an exception) gives {@code null}: the caller then
 * parses it with the tree parser, whose error messages are the contract's. Only bad bodies are read twice.
 * Thread-safe.
 */
final class PublishBodyScanner {

    private final JsonMapper mapper;

    PublishBodyScanner(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** The request of a {@code POST /push} body, or {@code null} when the tree parser must answer it. */
    PublishRequest one(byte[] body) {
        if (!plainUtf8(body)) {
            return null;
        }
        try (JsonParser parser = mapper.createParser(body)) {
            PublishRequest request = parser.nextToken() == JsonToken.START_OBJECT ? object(parser, body) : null;
            return request != null && parser.nextToken() == null ? request : null;
        } catch (RuntimeException e) { // whatever it is, the tree parser answers it
            return null;
        }
    }

    /** The requests of a {@code POST /push/batch} body, or {@code null} when the tree parser must answer it. */
    List<PublishRequest> batch(byte[] body, int maxItems) {
        if (!plainUtf8(body)) {
            return null;
        }
        try (JsonParser parser = mapper.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            List<PublishRequest> requests = new ArrayList<>();
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.START_OBJECT) {
                PublishRequest request = object(parser, body);
                if (request == null || requests.size() == maxItems) {
                    return null;
                }
                requests.add(request);
            }
            return token == JsonToken.END_ARRAY && !requests.isEmpty() && parser.nextToken() == null ? requests : null;
        } catch (RuntimeException e) { // whatever it is, the tree parser answers it
            return null;
        }
    }

    /** The object whose START_OBJECT the parser is at, through its END_OBJECT; {@code null} if not a valid one. */
    private static PublishRequest object(JsonParser parser, byte[] body) {
        String channel = Channels.DEFAULT;
        String message = null;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("channel")) {
                if (value != JsonToken.VALUE_STRING) {
                    return null;
                }
                channel = parser.getString();
            } else if (name.equals("message")) {
                long start = parser.currentTokenLocation().getByteOffset();
                readValue(parser, value);
                long end = parser.currentLocation().getByteOffset();
                message = compactText(body, (int) start, (int) end);
                if (message == null) {
                    return null;
                }
            } else {
                return null;
            }
        }
        if (token != JsonToken.END_OBJECT || message == null || Channels.problem(channel) != null) {
            return null;
        }
        return new PublishRequest(channel, message);
    }

    /**
     * Reads the value starting at {@code first} through its last token, taking every scalar as the tree parser does
     * (decoded strings, numbers converted, floats as {@code BigDecimal}) so that the same inputs fail.
     */
    private static void readValue(JsonParser parser, JsonToken first) {
        int depth = 0;
        JsonToken token = first;
        while (true) {
            switch (token) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case VALUE_STRING -> parser.getStringLength();
                case VALUE_NUMBER_INT -> {
                    if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        parser.getBigIntegerValue();
                    }
                }
                case VALUE_NUMBER_FLOAT -> parser.getDecimalValue();
                default -> {}
            }
            if (depth == 0) {
                return;
            }
            token = parser.nextToken();
            if (token == null) {
                throw new IllegalStateException("the parser ended inside a value"); // it reports that itself first
            }
        }
    }

    /**
     * The JSON text {@code body[start, end)} without whitespace between tokens; {@code null} when the range does not
     * look like one whole value (a guard: the parser's offsets are taken as they are).
     */
    private static String compactText(byte[] body, int start, int end) {
        if (start < 0 || end > body.length || end <= start || isSpace(body[start]) || isSpace(body[end - 1])) {
            return null;
        }
        int spaces = 0;
        boolean inString = false;
        for (int i = start; i < end; i++) {
            byte b = body[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (isSpace(b)) {
                spaces++;
            }
        }
        if (inString) {
            return null;
        }
        if (spaces == 0) {
            return new String(body, start, end - start, StandardCharsets.UTF_8);
        }
        byte[] compact = new byte[end - start - spaces];
        int length = 0;
        for (int i = start; i < end; i++) {
            byte b = body[i];
            if (inString) {
                if (b == '\\') {
                    compact[length++] = b;
                    b = body[++i];
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (isSpace(b)) {
                continue;
            }
            compact[length++] = b;
        }
        return new String(compact, 0, length, StandardCharsets.UTF_8);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    /**
     * Whether the body is read as UTF-8 from its first byte: not empty, no byte-order mark, and no zero byte in the
     * first four (the parser detects UTF-16 and UTF-32 by those, and offsets would then not be byte positions).
     */
    private static boolean plainUtf8(byte[] body) {
        if (body == null || body.length == 0 || body[0] < 0) { // a byte-order mark, or not JSON anyway
            return false;
        }
        for (int i = 0; i < Math.min(4, body.length); i++) {
            if (body[i] == 0) {
                return false;
            }
        }
        return true;
    }
}
