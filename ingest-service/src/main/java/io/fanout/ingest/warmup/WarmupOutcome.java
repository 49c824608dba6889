package io.fanout.ingest.warmup;

import java.util.Map;

/**
 * What the start-up warm-up did.
 *
 * @param answers how many rehearsal requests got each HTTP status (-1: no answer)
 * @param requestSeconds how long the requests took
 * @param settleSeconds how long the JIT compiler took to go quiet after them
 * @param topic the topic the rehearsal's events were written to, or {@code null} when they were written nowhere
 */
record WarmupOutcome(Map<Integer, Long> answers, double requestSeconds, double settleSeconds, String topic) {

    WarmupOutcome {
        answers = Map.copyOf(answers);
    }

    long requests() {
        return answers.values().stream().mapToLong(Long::longValue).sum();
    }
}
