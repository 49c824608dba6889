package io.fanout.common.publish;

/**
 * What a keyed publish's outcome says when the record certainly did not reach Kafka: it was never handed to the
 * producer (the queue was full, its time ran out while queued) or the producer refused it outright. A retry may
 * then write it. Internal to the publish path: clients see the error the publish itself answered with.
 */
final class NotWrittenException extends RuntimeException {

    NotWrittenException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
