package io.fanout.common.security;

import java.security.Principal;
import java.util.List;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import reactor.core.publisher.Mono;

/**
 * Channel authorization for HTTP requests that went through the filter chain: reads the caller's token from the
 * reactive security context. While auth is off everything is allowed. Thread-safe.
 */
public final class ChannelAccess {

    private final boolean enabled;

    public ChannelAccess(boolean enabled) {
        this.enabled = enabled;
    }

    /** The caller's grants; errors with {@link InvalidTokenException} when auth is on and there is no token. */
    public Mono<ChannelGrants> current() {
        if (!enabled) {
            return Mono.just(ChannelGrants.ALL);
        }
        return ReactiveSecurityContextHolder.getContext()
                .map(SecurityContext::getAuthentication)
                .filter(JwtAuthenticationToken.class::isInstance)
                .map(authentication -> ChannelGrants.of(((JwtAuthenticationToken) authentication).getToken()))
                .switchIfEmpty(Mono.error(new InvalidTokenException("a bearer token is required")));
    }

    /**
     * Completes when the caller may publish to every one of {@code channels}; otherwise errors with
     * {@link ChannelForbiddenException} naming the first refused one (and its index when there are several).
     */
    public Mono<Void> checkPublish(List<String> channels) {
        return current().flatMap(grants -> {
            String refused = grants.refusedPublish(channels);
            return refused == null ? Mono.<Void>empty() : Mono.error(new ChannelForbiddenException(refused));
        });
    }

    /**
     * For handlers that get the caller as a resolved {@link Principal} argument (SSE): throws
     * {@link InvalidTokenException} (401) or {@link ChannelForbiddenException} (403) unless the caller may subscribe
     * to every one of {@code channels}.
     */
    public void requireSubscribe(Principal principal, List<String> channels) {
        if (!enabled) {
            return;
        }
        if (!(principal instanceof JwtAuthenticationToken authentication)) {
            throw new InvalidTokenException("a bearer token is required");
        }
        String refused = ChannelGrants.of(authentication.getToken()).refusedSubscription(channels);
        if (refused != null) {
            throw new ChannelForbiddenException(refused);
        }
    }

    /** Like {@link #checkPublish}, for subscribing. */
    public Mono<Void> checkSubscribe(List<String> channels) {
        return current().flatMap(grants -> {
            String refused = grants.refusedSubscription(channels);
            return refused == null ? Mono.<Void>empty() : Mono.error(new ChannelForbiddenException(refused));
        });
    }
}
