package io.fanout.common.security;

import java.time.Instant;

/**
 * What a verified token allows, and until when.
 *
 * @param grants the channels the bearer may publish to and subscribe to
 * @param closeAt when a connection opened with this token must end (its {@code exp} plus the allowed clock skew),
 *        or {@code null} when auth is off
 */
public record VerifiedToken(ChannelGrants grants, Instant closeAt) {

    /** What every connection gets while auth is off. */
    public static final VerifiedToken UNAUTHENTICATED = new VerifiedToken(ChannelGrants.ALL, null);
}
