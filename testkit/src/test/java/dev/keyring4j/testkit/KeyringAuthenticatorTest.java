package dev.keyring4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keyring4j.Capabilities;
import dev.keyring4j.Credential;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringAuthenticator;
import dev.keyring4j.Secret;
import java.io.IOException;
import java.net.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** KeyringAuthenticator against a real HttpClient and a local server (and proxy) that demand Basic auth. */
class KeyringAuthenticatorTest {
    private final InMemoryCredentialStore memory = InMemoryCredentialStore.persistent("mem");
    private final CountingStore store = new CountingStore(memory);
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    /** Counts reads that reach the store: a real decorator, not a mock. */
    static final class CountingStore implements CredentialStore {
        final CredentialStore inner;
        final AtomicInteger reads = new AtomicInteger();

        CountingStore(CredentialStore inner) {
            this.inner = inner;
        }

        public String id() {
            return inner.id();
        }

        public Capabilities capabilities() {
            return inner.capabilities();
        }

        public Optional<Secret> get(String s, String a) {
            reads.incrementAndGet();
            return inner.get(s, a);
        }

        public Optional<Credential> find(String s) {
            reads.incrementAndGet();
            return inner.find(s);
        }

        public void set(String s, String a, Secret secret) {
            inner.set(s, a, secret);
        }

        public boolean delete(String s, String a) {
            return inner.delete(s, a);
        }

        public List<CredentialId> list(String s) {
            return inner.list(s);
        }

        public List<CredentialId> list() {
            return inner.list();
        }

        public void close() {
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange ex, int code, String header, String value, String body) throws IOException {
        if (header != null) ex.getResponseHeaders().add(header, value);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    /** A server on 127.0.0.1 that answers 200 only with the expected credentials in {@code authHeader}. */
    private int start(String authHeader, String challengeHeader, int challengeCode, String user, String password) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            if (basic(user, password).equals(ex.getRequestHeaders().getFirst(authHeader))) {
                reply(ex, 200, null, null, "hello " + ex.getRequestURI());
            } else {
                reply(ex, challengeCode, challengeHeader, "Basic realm=\"keyring4j-test\"", "denied");
            }
        });
        server.start();
        return server.getAddress().getPort();
    }

    @Test
    void suppliesServerCredentialsToHttpClient() throws Exception {
        int port = start("Authorization", "WWW-Authenticate", 401, "alice", "pa55-server");
        memory.set("http://127.0.0.1:" + port, "alice", Secret.of("pa55-server"));
        HttpClient client = HttpClient.newBuilder().authenticator(KeyringAuthenticator.of(store)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/repo")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("hello /repo", r.body());
    }

    @Test
    void withoutACredentialTheRequestFailsAsWithoutAnAuthenticator() throws Exception {
        int port = start("Authorization", "WWW-Authenticate", 401, "alice", "pa55-server");
        HttpClient client = HttpClient.newBuilder().authenticator(KeyringAuthenticator.of(store)).build();
        // HttpClient reports an authenticator that answers null as "No credentials provided"
        IOException e = assertThrows(IOException.class, () -> client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString()));
        assertTrue(e.getMessage().contains("No credentials"), e.getMessage());
        assertEquals(1, store.reads.get());
    }

    @Test
    void suppliesProxyCredentialsToHttpClient() throws Exception {
        // the "proxy" demands Proxy-Authorization and answers for the absolute URI it is asked for
        int proxyPort = start("Proxy-Authorization", "Proxy-Authenticate", 407, "proxyuser", "pa55-proxy");
        memory.set("http://127.0.0.1:" + proxyPort, "proxyuser", Secret.of("pa55-proxy"));
        HttpClient client = HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxyPort)))
                .authenticator(KeyringAuthenticator.builder(store).defaultAccount("proxyuser").build()).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.2:9/through-proxy")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("hello http://127.0.0.2:9/through-proxy", r.body());
    }

    @Test
    void worksAsTheDefaultAuthenticatorForHttpUrlConnection() throws Exception {
        int port = start("Authorization", "WWW-Authenticate", 401, "bob", "pa55-default");
        memory.set("http://127.0.0.1:" + port, "bob", Secret.of("pa55-default"));
        Authenticator previous = Authenticator.getDefault();
        Authenticator.setDefault(KeyringAuthenticator.of(store));
        try {
            var conn = (java.net.HttpURLConnection) new URL("http://127.0.0.1:" + port + "/x").openConnection();
            assertEquals(200, conn.getResponseCode());
        } finally {
            Authenticator.setDefault(previous);
        }
    }

    @Test
    void aSecondRequestWithinTheCacheLifetimeDoesNotHitTheBackend() throws Exception {
        memory.set("https://git.example.test", "carol", Secret.of("pa55-cache"));
        MutableClock clock = new MutableClock();
        KeyringAuthenticator auth = KeyringAuthenticator.builder(store).defaultAccount("carol")
                .cacheLifetime(Duration.ofSeconds(30)).clock(clock).build();
        URL url = new URL("https://git.example.test/repo.git");
        PasswordAuthentication first = ask(auth, url, 443);
        assertEquals("carol", first.getUserName());
        assertEquals("pa55-cache", new String(first.getPassword()));
        assertEquals(1, store.reads.get());
        PasswordAuthentication second = ask(auth, url, 443);
        assertEquals("pa55-cache", new String(second.getPassword()));
        assertEquals(1, store.reads.get(), "served from the cache");
        clock.advance(Duration.ofSeconds(31));
        ask(auth, url, 443);
        assertEquals(2, store.reads.get(), "the cache expired, so the store was asked again");
        // another port is another service: not in the store
        assertNull(ask(auth, new URL("https://git.example.test:8443/"), 8443));
    }

    @Test
    void accountComesFromTheRequestUrlFirst() throws Exception {
        memory.set("https://h.test", "dave", Secret.of("pa55-dave"));
        memory.set("https://h.test", "erin", Secret.of("pa55-erin"));
        KeyringAuthenticator auth = KeyringAuthenticator.builder(store).defaultAccount("dave").build();
        PasswordAuthentication pa = ask(auth, new URL("https://erin@h.test/"), 443);
        assertNotNull(pa);
        assertEquals("erin", pa.getUserName());
        assertEquals("pa55-erin", new String(pa.getPassword()));
        assertEquals("pa55-dave", new String(ask(auth, new URL("https://h.test/"), 443).getPassword()));
    }

    private static PasswordAuthentication ask(Authenticator auth, URL url, int port) {
        return auth.requestPasswordAuthenticationInstance(url.getHost(), null, port, url.getProtocol(), "realm", "Basic",
                url, Authenticator.RequestorType.SERVER);
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        public Instant instant() {
            return now;
        }
    }
}
