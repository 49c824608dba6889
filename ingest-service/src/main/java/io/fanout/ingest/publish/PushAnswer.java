package io.fanout.ingest.publish;

import java.util.Map;

/**
 * The answer to one {@code POST /push}: its status, content type and body, and the headers a refusal adds
 * ({@code WWW-Authenticate}, {@code Retry-After}).
 */
record PushAnswer(int status, String contentType, byte[] body, Map<String, String> headers) {}
