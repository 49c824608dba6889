package io.fanout.service.subscribe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A region-independent position in one partition of the stream: for each origin region the stream has read in
 * partition {@code partition}, the last Event record of that origin it has passed (delivered, or skipped as another
 * channel's), named by its Kafka timestamp and its Event id, both of which MirrorMaker 2 carries to every region.
 * Immutable; {@link #encode} and {@link #parse} are exact inverses.
 *
 * <p>Text form, URL-safe ({@code A-Z a-z 0-9 - _ . ~}): {@code 1.<partition>.<entry>[.<entry>]…}, version {@code 1},
 * entries in origin order, each {@code <origin>~<timestamp base 36>~<id>} or, for an origin of which the stream has
 * passed no Event ("from that origin's beginning"), just {@code <origin>}. An id is {@code u} + the base64url of its
 * 16 bytes when it is a UUID in canonical lower-case form, otherwise {@code b} + the base64url of its UTF-8 bytes
 * (no padding either way). Several partitions' cursors joined by {@code ,} are a {@link StreamCursor}.
 *
 * @param marks per origin alias, the last Event passed, or {@link Mark#BEGINNING}
 */
public record PartitionCursor(int partition, Map<String, Mark> marks) {

    /**
     * How many records before a start are read to find the last Event before it (a cursor mark, delivered to nobody):
     * more than one, because under {@code read_committed} the offsets of transaction markers (the sequencer commits a
     * transaction per batch) hold no record, so the offset right before a start is often no Event.
     */
    public static final int MARK_LOOKBACK = 8;

    static final String VERSION = "1";
    private static final Pattern ALIAS = Pattern.compile(io.fanout.schemas.Topics.REGION_ALIAS);
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");
    private static final int MAX_ORIGINS = 64;
    private static final int MAX_ID_BYTES = 512;
    private static final Base64.Encoder BASE64_ENCODER = Base64.getUrlEncoder().withoutPadding();

    /**
     * The last Event of an origin that the stream passed.
     *
     * @param timestamp its Kafka record timestamp, ms
     * @param id its Event id; {@code null} for {@link #BEGINNING}
     */
    public record Mark(long timestamp, String id) {

        /** No Event of the origin passed yet: everything of it is still to come. */
        public static final Mark BEGINNING = new Mark(-1, null);

        public boolean isBeginning() {
            return id == null;
        }
    }

    public PartitionCursor {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must not be negative");
        }
        marks = Collections.unmodifiableMap(new TreeMap<>(marks));
    }

    /** The newest timestamp the cursor names, or {@code -1} when every origin is at its beginning. */
    public long newestTimestamp() {
        return marks.values().stream().mapToLong(Mark::timestamp).max().orElse(-1);
    }

    /** The oldest timestamp the cursor names ({@code -1} when none or an origin is at its beginning). */
    public long oldestTimestamp() {
        return marks.values().stream().mapToLong(Mark::timestamp).min().orElse(-1);
    }

    /** The text form. */
    public String encode() {
        StringBuilder text = new StringBuilder(16 + 40 * marks.size());
        text.append(VERSION).append('.').append(partition);
        for (Map.Entry<String, Mark> entry : marks.entrySet()) {
            text.append('.').append(entry.getKey());
            Mark mark = entry.getValue();
            if (!mark.isBeginning()) {
                text.append('~').append(Long.toString(mark.timestamp(), 36)).append('~');
                appendId(text, mark.id());
            }
        }
        return text.toString();
    }

    /**
     * Parses one partition's cursor.
     *
     * @throws InvalidSubscribeException with a reason that fits a close frame, for anything {@link #encode} would not
     *     have written
     */
    public static PartitionCursor parse(String text) {
        if (text == null || text.isEmpty()) {
            throw invalid("cursor is empty");
        }
        String[] parts = text.split("\\.", -1);
        if (!parts[0].equals(VERSION)) {
            throw invalid("cursor version is not " + VERSION);
        }
        if (parts.length < 3) {
            throw invalid("cursor names no origin");
        }
        if (parts.length - 2 > MAX_ORIGINS) {
            throw invalid("cursor names more than " + MAX_ORIGINS + " origins");
        }
        int partition;
        try {
            partition = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw invalid("cursor partition is not a number");
        }
        if (partition < 0 || !parts[1].equals(Integer.toString(partition))) {
            throw invalid("cursor partition is not a non-negative number");
        }
        Map<String, Mark> marks = new TreeMap<>();
        for (int i = 2; i < parts.length; i++) {
            String[] fields = parts[i].split("~", -1);
            String origin = fields[0];
            if (!ALIAS.matcher(origin).matches()) {
                throw invalid("cursor origin is not a region alias");
            }
            Mark mark;
            if (fields.length == 1) {
                mark = Mark.BEGINNING;
            } else if (fields.length == 3) {
                mark = new Mark(timestamp(fields[1]), id(fields[2]));
            } else {
                throw invalid("cursor entry is not origin~time~id");
            }
            if (marks.put(origin, mark) != null) {
                throw invalid("cursor names origin " + origin + " twice");
            }
        }
        return new PartitionCursor(partition, marks);
    }

    private static long timestamp(String text) {
        if (text.isEmpty()
                || text.length() > 13
                || !text.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'z')) {
            throw invalid("cursor time is not base-36");
        }
        return Long.parseLong(text, 36);
    }

    private static String id(String text) {
        if (text.length() < 2 || !BASE64URL.matcher(text.substring(1)).matches()) {
            throw invalid("cursor id is malformed");
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(text.substring(1));
        } catch (IllegalArgumentException e) {
            throw invalid("cursor id is not base64url");
        }
        return switch (text.charAt(0)) {
            case 'u' -> {
                if (bytes.length != 16 || text.length() != 23) {
                    throw invalid("cursor id is not a 16-byte UUID");
                }
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                yield new UUID(buffer.getLong(), buffer.getLong()).toString();
            }
            case 'b' -> {
                if (bytes.length > MAX_ID_BYTES) {
                    throw invalid("cursor id is too long");
                }
                String id = new String(bytes, StandardCharsets.UTF_8);
                if (!java.util.Arrays.equals(id.getBytes(StandardCharsets.UTF_8), bytes)
                        || !text.equals("b" + BASE64_ENCODER.encodeToString(bytes))) {
                    throw invalid("cursor id is not canonical UTF-8 base64url");
                }
                yield id;
            }
            default -> throw invalid("cursor id kind is not u or b");
        };
    }

    private static void appendId(StringBuilder text, String id) {
        byte[] uuid = canonicalUuid(id);
        if (uuid != null) {
            text.append('u').append(BASE64_ENCODER.encodeToString(uuid));
        } else {
            text.append('b').append(BASE64_ENCODER.encodeToString(id.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /**
     * The 16 bytes of {@code id} if it is a UUID in the canonical form {@link UUID#toString} writes (8-4-4-4-12
     * lower-case hex digits), so that decoding gives it back; else {@code null}. Read by hand: this runs once per
     * event delivered.
     */
    private static byte[] canonicalUuid(String id) {
        if (id.length() != 36) {
            return null;
        }
        byte[] bytes = new byte[16];
        int next = 0;
        for (int i = 0; i < 36; ) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (id.charAt(i++) != '-') {
                    return null;
                }
                continue;
            }
            int high = lowerHexValue(id.charAt(i));
            int low = lowerHexValue(id.charAt(i + 1));
            if (high < 0 || low < 0) {
                return null;
            }
            bytes[next++] = (byte) (high << 4 | low);
            i += 2;
        }
        return bytes;
    }

    /** The value of a lower-case hex digit, or -1. */
    private static int lowerHexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }

    private static InvalidSubscribeException invalid(String reason) {
        return new InvalidSubscribeException(reason);
    }
}
