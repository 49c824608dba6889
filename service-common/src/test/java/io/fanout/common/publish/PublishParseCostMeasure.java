package io.fanout.common.publish;

import java.nio.charset.StandardCharsets;

/**
 * What parsing a {@code POST /push} body costs, without JMH: the bench's body (a channel and a 100-byte message) read
 * by the streaming scan ({@link PublishRequestParser#parseOne}) and by the tree parser it falls back to, reached
 * here by the same body behind a UTF-8 byte-order mark (which the scan hands over after looking at one byte). Five
 * rounds of a million each. Not a test; run it with {@code mvn -B -ntp -o -q -pl service-common -am test-compile}
 * and {@code java -cp service-common/target/classes:service-common/target/test-classes:<the module's test classpath>
 * io.fanout.common.publish.PublishParseCostMeasure}. Uses standard output on purpose: it is a command-line measure.
 */
final class PublishParseCostMeasure {

    private PublishParseCostMeasure() {}

    public static void main(String[] args) {
        String json = "{\"channel\":\"bench-17\",\"message\":{\"bseq\":123456,\"bsent\":98765432101234,\"pad\":\""
                + "x".repeat(60) + "\"}}";
        byte[] scanned = json.getBytes(StandardCharsets.UTF_8);
        byte[] tree = ("\uFEFF" + json).getBytes(StandardCharsets.UTF_8);
        if (!PublishRequestParser.parseOne(scanned).equals(PublishRequestParser.parseOne(tree))) {
            throw new IllegalStateException("the two paths disagree");
        }
        int n = 1_000_000;
        for (int round = 0; round < 5; round++) {
            long scan = time(scanned, n);
            long viaTree = time(tree, n);
            System.out.printf(
                    "%d bytes: streaming scan %.0f ns per body, tree %.0f ns per body%n",
                    scanned.length, (double) scan / n, (double) viaTree / n);
        }
    }

    private static long time(byte[] body, int n) {
        long sink = 0;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sink += PublishRequestParser.parseOne(body).message().length();
        }
        long elapsed = System.nanoTime() - start;
        if (sink == 42) {
            System.out.println(sink);
        }
        return elapsed;
    }
}
