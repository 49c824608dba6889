package io.fanout.service;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

/**
 * No {@code http.server.requests} observation for the subscription endpoints. A WebSocket or SSE "request" lasts as
 * long as the subscriber stays, so its timer says nothing useful, and its open observation context, with its tags,
 * was held in memory by every idle connection. Sessions have their own metrics ({@code fanout_sessions},
 * {@code fanout_deliveries_total}, …).
 */
@Configuration(proxyBeanMethods = false)
class SessionObservations {

    @Bean
    ObservationPredicate noObservationOfSubscriptions() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request)
                || !isSubscription(request.getCarrier().getPath().value());
    }

    private static boolean isSubscription(String path) {
        return path.equals("/events") || path.equals("/sse");
    }
}
