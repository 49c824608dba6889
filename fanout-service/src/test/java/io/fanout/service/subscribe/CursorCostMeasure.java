package io.fanout.service.subscribe;

import io.fanout.service.subscribe.PartitionCursor.Mark;
import java.util.Map;
import java.util.UUID;

/**
 * What the cursor costs per event frame, without JMH: the bytes it adds to a typical frame, and the time to encode a
 * frame with it and the cursor alone (1 and 2 origins), five rounds of a million each. Not a test; run it with
 * {@code mvn -B -ntp -o -q -pl fanout-service -am test-compile} then
 * {@code java -cp fanout-service/target/classes:fanout-service/target/test-classes:schemas/target/classes
 * io.fanout.service.subscribe.CursorCostMeasure}. Uses standard output on purpose: it is a command-line measure.
 */
final class CursorCostMeasure {

    private CursorCostMeasure() {}

    public static void main(String[] args) {
        String id = UUID.randomUUID().toString();
        long ts = System.currentTimeMillis();
        String message = "{\"n\":12345,\"text\":\"hello\"}";
        PartitionCursor one = new PartitionCursor(3, Map.of("r1", new Mark(ts, id)));
        PartitionCursor two = new PartitionCursor(
                3,
                Map.of(
                        "r1",
                        new Mark(ts, id),
                        "r2",
                        new Mark(ts - 5, UUID.randomUUID().toString())));
        EventFrame f1 = EventFrame.of("orders", "r1", 3, 1234567, ts, id, one, 0L, message);
        EventFrame f2 = EventFrame.of("orders", "r1", 3, 1234567, ts, id, two, 0L, message);
        String text1 = f1.text();
        String before = text1.replaceAll(",\"origin\":\"[^\"]*\",\"cursor\":\"[^\"]*\"", "");
        System.out.println("before: " + before.length() + " bytes: " + before);
        System.out.println(
                "one origin: " + f1.json().length + " bytes (+" + (f1.json().length - before.length()) + ")");
        System.out.println(
                "two origins: " + f2.json().length + " bytes (+" + (f2.json().length - before.length()) + ")");
        for (int round = 0; round < 5; round++) {
            int n = 1_000_000;
            long sink = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += EventFrame.of("orders", "r1", 3, i, ts, id, one, 0L, message)
                        .json()
                        .length;
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += one.encode().length();
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sink += two.encode().length();
            }
            long t3 = System.nanoTime();
            System.out.printf(
                    "round %d: frame with cursor %.0f ns, cursor encode (1 origin) %.0f ns, (2 origins) %.0f ns [%d]%n",
                    round, (t1 - t0) / (double) n, (t2 - t1) / (double) n, (t3 - t2) / (double) n, sink % 7);
        }
    }
}
