package io.fanout.common.security;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * The channels a client may publish to and subscribe to, from its token. A pattern is an exact channel name, or
 * ends with {@code *} and then matches every channel starting with what precedes it ({@code news:*} matches
 * {@code news:sport}; {@code *} matches every channel). Immutable.
 *
 * @param subject the token's {@code sub}, or {@code null}
 * @param publish patterns of channels the client may publish to
 * @param subscribe patterns of channels the client may subscribe to
 */
public record ChannelGrants(String subject, List<String> publish, List<String> subscribe) {

    /** The claim listing the channels a token may publish to. */
    public static final String PUBLISH_CLAIM = "fanout.publish";

    /** The claim listing the channels a token may subscribe to. */
    public static final String SUBSCRIBE_CLAIM = "fanout.subscribe";

    /** Everything allowed: what every request gets while auth is off. */
    public static final ChannelGrants ALL = new ChannelGrants(null, List.of("*"), List.of("*"));

    public ChannelGrants {
        publish = List.copyOf(publish);
        subscribe = List.copyOf(subscribe);
    }

    /** The grants of a verified token; a missing claim grants nothing. */
    public static ChannelGrants of(Jwt jwt) {
        return of(jwt.getSubject(), jwt.getClaims());
    }

    static ChannelGrants of(String subject, Map<String, Object> claims) {
        return new ChannelGrants(subject, patterns(claims.get(PUBLISH_CLAIM)), patterns(claims.get(SUBSCRIBE_CLAIM)));
    }

    public boolean canPublish(String channel) {
        return matches(publish, channel);
    }

    public boolean canSubscribe(String channel) {
        return matches(subscribe, channel);
    }

    /**
     * Why these grants may not publish to one of {@code channels}, naming the first refused one (and its index
     * when there are several), or {@code null} when they may publish to all. The one wording of a publish
     * refusal, for HTTP and WebSocket alike.
     */
    public String refusedPublish(List<String> channels) {
        for (int i = 0; i < channels.size(); i++) {
            if (!canPublish(channels.get(i))) {
                return (channels.size() > 1 ? "item " + i + ": " : "") + "token does not allow publishing to channel '"
                        + channels.get(i) + "'";
            }
        }
        return null;
    }

    /**
     * Why these grants may not subscribe to one of {@code channels}, naming the first refused one, or {@code null}
     * when they may subscribe to all (and read them in the channel directory). The one wording of a subscribe
     * refusal, for HTTP, SSE, WebSocket and the directory alike.
     */
    public String refusedSubscription(List<String> channels) {
        for (String channel : channels) {
            if (!canSubscribe(channel)) {
                return "token does not allow subscribing to channel '" + channel + "'";
            }
        }
        return null;
    }

    private static boolean matches(List<String> patterns, String channel) {
        for (String pattern : patterns) {
            if (pattern.endsWith("*")
                    ? channel.startsWith(pattern.substring(0, pattern.length() - 1))
                    : pattern.equals(channel)) {
                return true;
            }
        }
        return false;
    }

    /** A claim is an array of strings, or one string; anything else grants nothing. */
    private static List<String> patterns(Object claim) {
        if (claim instanceof String single) {
            return List.of(single);
        }
        if (claim instanceof Collection<?> many) {
            return many.stream()
                    .filter(String.class::isInstance)
                    .map(String.class::cast)
                    .filter(p -> !p.isEmpty())
                    .toList();
        }
        return List.of();
    }
}
