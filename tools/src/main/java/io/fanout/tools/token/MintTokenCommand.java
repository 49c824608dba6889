package io.fanout.tools.token;

import com.nimbusds.jwt.JWTClaimsSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mint-token}: prints a signed fanout token (compact JWT) on stdout. */
@Command(
        name = "mint-token",
        mixinStandardHelpOptions = true,
        description = {
            "Prints a fanout token (JWT) for fanout.auth.enabled=true.",
            "Claims: sub, iat, exp, \"" + Tokens.PUBLISH_CLAIM + "\" and \"" + Tokens.SUBSCRIBE_CLAIM
                    + "\" (arrays of channel names or prefix* patterns)."
        })
public final class MintTokenCommand implements Callable<Integer> {

    /** Exactly one way to sign. */
    static final class Key {
        @Option(names = "--secret", required = true, description = "HS256 secret (fanout.auth.hmac-secret)")
        String secret;

        @Option(
                names = "--private-key",
                required = true,
                paramLabel = "PEM",
                description = "RS256 private key, PKCS#8 PEM (openssl genpkey -algorithm RSA)")
        Path privateKey;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Key key;

    @Option(names = "--sub", defaultValue = "fanout-client", description = "subject (default: ${DEFAULT-VALUE})")
    String subject;

    @Option(
            names = "--publish",
            split = ",",
            paramLabel = "CHANNELS",
            description = "channels the token may publish to, e.g. orders,news:*")
    List<String> publish = List.of();

    @Option(
            names = "--subscribe",
            split = ",",
            paramLabel = "CHANNELS",
            description = "channels the token may subscribe to, e.g. news:*")
    List<String> subscribe = List.of();

    @Option(
            names = "--ttl",
            defaultValue = "3600",
            paramLabel = "SECONDS",
            description = "lifetime in seconds (default: ${DEFAULT-VALUE})")
    long ttlSeconds;

    @Option(names = "--issuer", description = "iss claim (when the service checks fanout.auth.issuer)")
    String issuer;

    @Option(names = "--audience", description = "aud claim (when the service checks fanout.auth.audience)")
    String audience;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JWTClaimsSet claims = Tokens.claims(
                subject, trimmed(publish), trimmed(subscribe), Duration.ofSeconds(ttlSeconds), issuer, audience);
        String token = key.secret != null
                ? Tokens.hs256(key.secret, claims)
                : Tokens.rs256(PemKeys.rsaPrivateKey(key.privateKey), claims);
        spec.commandLine().getOut().println(token);
        return 0;
    }

    private static List<String> trimmed(List<String> channels) {
        return channels.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
