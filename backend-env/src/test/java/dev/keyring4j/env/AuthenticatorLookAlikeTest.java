package dev.keyring4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringAuthenticator;
import dev.keyring4j.spi.BackendConfig;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, finding 1: {@link KeyringAuthenticator} over the env backend hands
 * {@code https://api.example.com}'s credential to that server only, never to {@code https://api-example.com}.
 * The requests go through the JDK's own {@link Authenticator#requestPasswordAuthentication} entry point,
 * as the HTTP stack calls it.
 */
class AuthenticatorLookAlikeTest {
    private static PasswordAuthentication ask(Authenticator a, String host) throws Exception {
        return Authenticator.requestPasswordAuthentication(a, host, null, 443, "https", "realm", "basic",
                new URL("https://" + host + "/"), Authenticator.RequestorType.SERVER);
    }

    @Test
    void aLookAlikeServerGetsNothing() throws Exception {
        String var = EnvVariableNames.token("KEYRING4J", "https://api.example.com");
        Map<String, String> env = Map.of(var, "api-token", var + "_ID", "svc",
                // the old folded spelling, which both hosts used to read
                "KEYRING4J_HTTPS___API_EXAMPLE_COM", "old-token", "KEYRING4J_HTTPS___API_EXAMPLE_COM_ID", "old");
        try (CredentialStore store = new EnvProvider().probe(BackendConfig.of("env", Map.of(), env)).open()) {
            Authenticator a = KeyringAuthenticator.builder(store).cacheLifetime(java.time.Duration.ZERO).build();
            PasswordAuthentication ok = ask(a, "api.example.com");
            assertNotNull(ok);
            assertEquals("svc", ok.getUserName());
            assertEquals("api-token", new String(ok.getPassword()));
            for (String host : new String[] {"api-example.com", "api_example.com", "api.example", "api", "api.example.com.evil.test"}) {
                assertNull(ask(a, host), host);
            }
        }
    }
}
