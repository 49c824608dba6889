package io.fanout.service.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.socket.HandshakeInfo;
import reactor.core.publisher.Mono;

class LeanHandshakeUpgradeStrategyTest {

    private static final URI URI_ = URI.create("ws://127.0.0.1:8081/events?channel=orders");

    @Test
    void shouldKeepOfTheHeadersOnlyAuthorizationAndNoCookiesOrPrincipal() {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.AUTHORIZATION, "Bearer abc");
        headers.set(HttpHeaders.USER_AGENT, "test");
        headers.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        HandshakeInfo full = handshake(headers);

        HandshakeInfo lean = LeanHandshakeUpgradeStrategy.lean(full);

        assertThat(lean.getHeaders().headerNames()).containsExactly(HttpHeaders.AUTHORIZATION);
        assertThat(lean.getHeaders().getFirst("authorization")).isEqualTo("Bearer abc");
        assertThat(lean.getUri()).isSameAs(full.getUri());
        assertThat(lean.getCookies()).isEmpty();
        assertThat(lean.getPrincipal().block()).isNull();
        assertThat(lean.getSubProtocol()).isEqualTo("v1");
        assertThat(lean.getRemoteAddress()).isSameAs(full.getRemoteAddress());
        assertThat(lean.getAttributes()).isSameAs(full.getAttributes());
        assertThat(lean.getLogPrefix()).isEqualTo("[abc] ");
    }

    @Test
    void shouldKeepNoHeadersWhenTheHandshakeHasNoAuthorization() {
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.USER_AGENT, "test");

        HandshakeInfo lean = LeanHandshakeUpgradeStrategy.lean(handshake(headers));

        assertThat(lean.getHeaders().isEmpty()).isTrue();
        assertThat(lean.getHeaders().getFirst(HttpHeaders.AUTHORIZATION)).isNull();
    }

    private static HandshakeInfo handshake(HttpHeaders headers) {
        MultiValueMap<String, HttpCookie> cookies = new LinkedMultiValueMap<>();
        cookies.add("c", new HttpCookie("c", "1"));
        return new HandshakeInfo(
                URI_,
                headers,
                cookies,
                Mono.just(() -> "someone"),
                "v1",
                new InetSocketAddress("127.0.0.1", 5000),
                Map.of("a", 1),
                "[abc] ");
    }
}
