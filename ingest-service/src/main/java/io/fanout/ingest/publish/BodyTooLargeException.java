package io.fanout.ingest.publish;

/** A request body over the configured limit. */
class BodyTooLargeException extends RuntimeException {

    BodyTooLargeException(long declared, int limit) {
        super((declared > 0 ? "body is " + declared + " bytes" : "body is larger than the limit")
                + "; at most " + limit + " bytes are accepted (fanout.publish.max-body-size)");
    }
}
