package io.fanout.tools.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.fanout.tools.FanoutTools;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MintTokenCommandTest {

    private static final String SECRET = "a-secret-of-at-least-thirty-two-bytes-123456";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new FanoutTools());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "mint-token";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli.execute(all);
    }

    @Test
    void shouldPrintAnHs256TokenWithTheChannelClaims() throws Exception {
        int rc = run(
                "--secret",
                SECRET,
                "--sub",
                "alice",
                "--publish",
                "orders, news:*",
                "--subscribe",
                "news:*",
                "--ttl",
                "60");

        assertThat(rc).isZero();
        SignedJWT jwt = SignedJWT.parse(out.toString().trim());
        assertThat(jwt.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8))))
                .isTrue();
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("alice");
        assertThat(jwt.getJWTClaimsSet().getStringListClaim(Tokens.PUBLISH_CLAIM))
                .containsExactly("orders", "news:*");
        assertThat(jwt.getJWTClaimsSet().getStringListClaim(Tokens.SUBSCRIBE_CLAIM))
                .containsExactly("news:*");
        long ttl = jwt.getJWTClaimsSet().getExpirationTime().getTime()
                - jwt.getJWTClaimsSet().getIssueTime().getTime();
        assertThat(ttl).isEqualTo(60_000);
    }

    @Test
    void shouldSignWithAPkcs8PemKeyAsRs256(@TempDir Path dir) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        Path pem = dir.resolve("key.pem");
        Files.writeString(
                pem,
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(pair.getPrivate().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");

        int rc = run("--private-key", pem.toString(), "--subscribe", "*");

        assertThat(rc).isZero();
        SignedJWT jwt = SignedJWT.parse(out.toString().trim());
        assertThat(jwt.verify(new RSASSAVerifier((RSAPublicKey) pair.getPublic())))
                .isTrue();
        assertThat(jwt.getJWTClaimsSet().getStringListClaim(Tokens.SUBSCRIBE_CLAIM))
                .isEqualTo(List.of("*"));
        assertThat(jwt.getJWTClaimsSet().getStringListClaim(Tokens.PUBLISH_CLAIM))
                .isEmpty();
    }

    @Test
    void shouldRefuseBothOrNeitherKey() {
        assertThat(run("--sub", "x")).isEqualTo(2);
        assertThat(run("--secret", SECRET, "--private-key", "k.pem")).isEqualTo(2);
        assertThat(err.toString()).contains("--secret").contains("--private-key");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldRefuseAPemThatIsNotPkcs8(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("rsa.pem");
        Files.writeString(pem, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");

        assertThat(run("--private-key", pem.toString())).isNotZero();
        assertThat(err.toString()).contains("PKCS#8");
        assertThat(out.toString()).isEmpty();
    }
}
