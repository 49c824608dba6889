package io.fanout.common.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.converter.RsaKeyConverters;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Who may call the services. With {@code fanout.auth.enabled=false} (the default) everything is open: no token is
 * read or required. With it on, every request but health, info, prometheus and the live viewer's page and assets
 * (which ask for a token themselves) needs a signed JWT (see {@link AuthProperties}),
 * verified by Spring Security's reactive resource server (nimbus-jose-jwt): a missing or bad token gets a 401
 * problem. Per-channel checks come after: {@link ChannelAccess} for HTTP, {@link TokenVerifier} for WebSocket
 * handshakes. Only a {@code GET} with {@code Upgrade: websocket} to a path of the service's {@link WebSocketEndpoints}
 * ({@code /events} on fanout-service; none on ingest-service) is let through unauthenticated, so that the handler can
 * refuse it with a close code; the header on any other path changes nothing.
 * Sessions are stateless: no cookies, no CSRF, no login pages.
 */
@AutoConfiguration(
        before = {
            ReactiveWebSecurityAutoConfiguration.class,
            ReactiveUserDetailsServiceAutoConfiguration.class,
            ReactiveManagementWebSecurityAutoConfiguration.class,
            ReactiveOAuth2ResourceServerAutoConfiguration.class
        })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@EnableWebFluxSecurity
@EnableConfigurationProperties({AuthProperties.class, CorsProperties.class})
public class FanoutSecurityAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(FanoutSecurityAutoConfiguration.class);

    /** Health and metrics, and fanout-service's live viewer page and its assets (it asks for a token itself). */
    private static final String[] OPEN_PATHS = {
        "/actuator/health",
        "/actuator/health/**",
        "/actuator/info",
        "/actuator/prometheus",
        "/",
        "/index.html",
        "/assets/**"
    };

    @Bean
    SecurityWebFilterChain fanoutSecurityFilterChain(
            ServerHttpSecurity http,
            AuthProperties auth,
            CorsProperties cors,
            TokenVerifier verifier,
            ObjectProvider<WebSocketEndpoints> webSocketEndpoints) {
        http.csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .anonymous(ServerHttpSecurity.AnonymousSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance());
        if (!cors.allowedOrigins().isEmpty()) {
            CorsConfiguration allowed = corsConfiguration(cors.allowedOrigins());
            UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
            source.registerCorsConfiguration("/**", allowed);
            http.cors(spec -> spec.configurationSource(source));
            http.addFilterAt(new WebSocketOriginFilter(allowed), SecurityWebFiltersOrder.CORS);
        } else {
            http.cors(ServerHttpSecurity.CorsSpec::disable);
        }
        if (!auth.enabled() && cors.allowedOrigins().isEmpty()) {
            // nothing to check: the chain matches no request, so a publish does not pay for a security pipeline
            return http.securityMatcher(exchange -> ServerWebExchangeMatcher.MatchResult.notMatch())
                    .authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
                    .build();
        }
        if (!auth.enabled()) {
            return http.authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
                    .build();
        }
        List<String> handshakePaths = webSocketEndpoints
                .getIfAvailable(() -> new WebSocketEndpoints(List.of()))
                .paths();
        ServerWebExchangeMatcher webSocketHandshake = exchange -> isWebSocketHandshake(exchange, handshakePaths)
                ? ServerWebExchangeMatcher.MatchResult.match()
                : ServerWebExchangeMatcher.MatchResult.notMatch();
        ServerAuthenticationConverter bearer = exchange -> {
            if (isWebSocketHandshake(exchange, handshakePaths)) {
                return Mono.empty(); // the WebSocket handler verifies the token, refusing with close 1008
            }
            String token = BearerTokens.resolve(
                    exchange.getRequest().getHeaders(), exchange.getRequest().getURI());
            return token == null ? Mono.empty() : Mono.just(new BearerTokenAuthenticationToken(token));
        };
        return http.authorizeExchange(exchanges -> exchanges
                        .pathMatchers(OPEN_PATHS)
                        .permitAll()
                        .pathMatchers(HttpMethod.OPTIONS, "/**")
                        .permitAll()
                        .matchers(webSocketHandshake)
                        .permitAll()
                        .anyExchange()
                        .authenticated())
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .jwt(jwt -> jwt.jwtDecoder(verifier.decoder()))
                        .bearerTokenConverter(bearer)
                        .authenticationEntryPoint(ProblemResponses.unauthorized())
                        .accessDeniedHandler(ProblemResponses.forbidden()))
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint(ProblemResponses.unauthorized())
                        .accessDeniedHandler(ProblemResponses.forbidden()))
                .build();
    }

    /** A {@code GET} to one of the service's WebSocket paths asking to upgrade: only then is the token left to it. */
    static boolean isWebSocketHandshake(ServerWebExchange exchange, List<String> handshakePaths) {
        ServerHttpRequest request = exchange.getRequest();
        return HttpMethod.GET.equals(request.getMethod())
                && handshakePaths.contains(
                        request.getPath().pathWithinApplication().value())
                && "websocket".equalsIgnoreCase(request.getHeaders().getFirst(HttpHeaders.UPGRADE));
    }

    @Bean
    TokenVerifier fanoutTokenVerifier(AuthProperties auth) {
        return new TokenVerifier(auth.enabled() ? decoder(auth) : null, auth.clockSkew());
    }

    @Bean
    InternalCredentials fanoutInternalCredentials(AuthProperties auth) {
        InternalCredentials credentials = new InternalCredentials(auth);
        if (auth.enabled() && !credentials.available()) {
            log.warn("fanout.auth: no internal credential (RS256 without fanout.auth.internal-token): calls to the"
                    + " channel directory will be refused with 401");
        }
        return credentials;
    }

    @Bean
    ChannelAccess fanoutChannelAccess(AuthProperties auth) {
        return new ChannelAccess(auth.enabled());
    }

    static ReactiveJwtDecoder decoder(AuthProperties auth) {
        boolean hasSecret = auth.hmacSecret() != null && !auth.hmacSecret().isEmpty();
        boolean hasKey = auth.publicKeyLocation() != null;
        if (hasSecret == hasKey) {
            throw new IllegalStateException("fanout.auth.enabled=true needs exactly one of fanout.auth.hmac-secret"
                    + " and fanout.auth.public-key-location");
        }
        NimbusReactiveJwtDecoder decoder;
        if (hasSecret) {
            byte[] secret = auth.hmacSecret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new IllegalStateException(
                        "fanout.auth.hmac-secret must be at least 32 bytes for HS256, not " + secret.length);
            }
            decoder = NimbusReactiveJwtDecoder.withSecretKey(new SecretKeySpec(secret, "HmacSHA256"))
                    .macAlgorithm(MacAlgorithm.HS256)
                    .build();
        } else {
            decoder = NimbusReactiveJwtDecoder.withPublicKey(readPublicKey(auth))
                    .signatureAlgorithm(SignatureAlgorithm.RS256)
                    .build();
        }
        decoder.setJwtValidator(validator(auth));
        return auth.verifiedTokenCacheSize() > 0
                ? new CachingJwtDecoder(decoder, auth.verifiedTokenCacheSize(), auth.clockSkew(), Clock.systemUTC())
                : decoder;
    }

    private static OAuth2TokenValidator<Jwt> validator(AuthProperties auth) {
        List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
        validators.add(new JwtTimestampValidator(auth.clockSkew()));
        validators.add(new JwtClaimValidator<Object>(JwtClaimNames.EXP, Objects::nonNull));
        if (auth.issuer() != null && !auth.issuer().isBlank()) {
            validators.add(new JwtIssuerValidator(auth.issuer()));
        }
        if (auth.audience() != null && !auth.audience().isBlank()) {
            validators.add(new JwtClaimValidator<List<String>>(
                    JwtClaimNames.AUD, aud -> aud != null && aud.contains(auth.audience())));
        }
        return new DelegatingOAuth2TokenValidator<>(validators);
    }

    private static RSAPublicKey readPublicKey(AuthProperties auth) {
        try (InputStream in = auth.publicKeyLocation().getInputStream()) {
            return RsaKeyConverters.x509().convert(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "fanout.auth.public-key-location " + auth.publicKeyLocation()
                            + " is not a readable PEM RSA public key: " + e.getMessage(),
                    e);
        }
    }

    private static CorsConfiguration corsConfiguration(List<String> origins) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOriginPatterns(origins);
        cors.setAllowedMethods(List.of("GET", "POST", "OPTIONS"));
        cors.setAllowedHeaders(
                List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, "Idempotency-Key", "Last-Event-ID"));
        cors.setExposedHeaders(List.of(HttpHeaders.RETRY_AFTER, HttpHeaders.WWW_AUTHENTICATE));
        cors.setAllowCredentials(false);
        cors.setMaxAge(Duration.ofHours(1));
        return cors;
    }
}
