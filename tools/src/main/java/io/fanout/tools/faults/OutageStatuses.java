package io.fanout.tools.faults;

import java.util.List;

/** How the publishes of an outage run ended, split by when they were sent (before, during, after the outage). */
record OutageStatuses(
        int ackedBefore,
        int ackedDuring,
        int ackedAfter,
        int sentDuring,
        int s503,
        int s503During,
        int s503NoRetryAfter,
        int s429,
        int other,
        int noAnswer,
        double maxMillisDuring,
        double maxMillis) {

    static OutageStatuses of(List<PublishResult> all, long stopAt, long restartAt) {
        int ackedBefore = 0;
        int ackedDuring = 0;
        int ackedAfter = 0;
        int sentDuring = 0;
        int s503 = 0;
        int s503During = 0;
        int s503NoRetryAfter = 0;
        int s429 = 0;
        int other = 0;
        int noAnswer = 0;
        double maxDuring = 0;
        double maxAll = 0;
        for (PublishResult r : all) {
            boolean during = r.sent >= stopAt && r.sent < restartAt;
            maxAll = Math.max(maxAll, r.millis());
            if (during) {
                sentDuring++;
                maxDuring = Math.max(maxDuring, r.millis());
            }
            if (r.ok()) {
                if (r.sent < stopAt) {
                    ackedBefore++;
                } else if (during) {
                    ackedDuring++;
                } else {
                    ackedAfter++;
                }
            } else if (r.status == 503) {
                s503++;
                if (during) {
                    s503During++;
                }
                if (!r.retryAfter) {
                    s503NoRetryAfter++;
                }
            } else if (r.status == 429) {
                s429++;
            } else if (r.status == 0) {
                noAnswer++;
            } else {
                other++;
            }
        }
        return new OutageStatuses(
                ackedBefore,
                ackedDuring,
                ackedAfter,
                sentDuring,
                s503,
                s503During,
                s503NoRetryAfter,
                s429,
                other,
                noAnswer,
                maxDuring,
                maxAll);
    }
}
