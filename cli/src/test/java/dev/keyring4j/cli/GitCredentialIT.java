package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.keyring4j.testkit.Prerequisites;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real git drives `keyring4j git-credential` (the built jar) configured as its credential helper. */
class GitCredentialIT {
    @TempDir
    Path home;
    Child child;
    HttpServer server;

    @BeforeEach
    void setUp() throws Exception {
        Prerequisites.requireProgram("git");
        child = new Child(home);
        // exactly as docs/integrations.md says
        assertEquals(0, child.run(Child.cmd("git", "config", "--global", "credential.helper", "!keyring4j git-credential"), null).exit());
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    @Test
    void fillReadsThroughTheHelperFromTheEnvBackend() throws Exception {
        String service = "git:https://git.example.test";
        child.with("KEYRING4J_BACKEND", "env", Child.envVar(service), "tok-from-env-1", Child.envVar(service) + "_ID", "alice");
        Child.Result r = child.run(Child.cmd("git", "credential", "fill"), "protocol=https\nhost=git.example.test\n\n");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("username=alice\n"), r.out());
        assertTrue(r.out().contains("password=tok-from-env-1\n"), r.out());
    }

    @Test
    void httpCloneFromAServerDemandingBasicAuthWithCredentialsOnlyFromTheHelper() throws Exception {
        Path bare = bareRepository();
        AtomicInteger denied = new AtomicInteger();
        int port = serveDumbHttp(bare, "cloner", "clone-pa55", denied);
        String url = "http://127.0.0.1:" + port + "/repo.git";

        // without a credential in the store: git cannot prompt (GIT_TERMINAL_PROMPT=0), so the clone fails
        Child.Result without = child.with("KEYRING4J_BACKEND", "env").run(Child.cmd("git", "clone", url, home.resolve("fail").toString()), null);
        assertNotEquals(0, without.exit(), without.err());

        String service = "git:http://127.0.0.1:" + port;
        child.with(Child.envVar(service), "clone-pa55", Child.envVar(service) + "_ID", "cloner");
        Child.Result r = child.run(Child.cmd("git", "clone", url, home.resolve("clone").toString()), null);
        assertEquals(0, r.exit(), r.err());
        assertEquals("hello from the served repo\n", Files.readString(home.resolve("clone/README")));
        assertTrue(denied.get() > 0, "the server demanded credentials");
        assertTrue(!r.err().contains("clone-pa55"), r.err());
    }

    @Test
    void approveFillRejectRoundTripThroughTheAutoDetectedStore() throws Exception {
        List<String> writable = child.writableBackends();
        Prerequisites.require(!writable.isEmpty(), "a writable backend (kernel, secret-service or encrypted-file) available in keyring4j.jar; "
                + "this tree has none yet, so approve/reject cannot round-trip");
        roundTrip();
    }

    @Test
    void approveFillRejectRoundTripThroughTheEncryptedFileBackend() throws Exception {
        Path cfg = home.resolve("keyring.properties");
        Files.writeString(cfg, "backend = encrypted-file\nencrypted-file.path = " + home.resolve("creds.k4j") + "\n");
        child.with("KEYRING4J_CONFIG", cfg.toString());
        Prerequisites.require(child.writableBackends().contains("encrypted-file"),
                "the encrypted-file backend in keyring4j.jar (being built on another branch)");
        roundTrip();
    }

    private void roundTrip() throws Exception {
        String cred = "protocol=https\nhost=rt.example.test\nusername=robin\npassword=rt-pa55-42\n\n";
        Child.Result approve = child.run(Child.cmd("git", "credential", "approve"), cred);
        assertEquals(0, approve.exit(), approve.err());
        Child.Result fill = child.run(Child.cmd("git", "credential", "fill"), "protocol=https\nhost=rt.example.test\n\n");
        assertEquals(0, fill.exit(), fill.err());
        assertTrue(fill.out().contains("username=robin\npassword=rt-pa55-42\n"), fill.out());
        Child.Result reject = child.run(Child.cmd("git", "credential", "reject"), cred);
        assertEquals(0, reject.exit(), reject.err());
        Child.Result gone = child.run(Child.cmd("git", "credential", "fill"), "protocol=https\nhost=rt.example.test\n\n");
        assertNotEquals(0, gone.exit(), "nothing to fill and no prompt allowed: " + gone.out());
    }

    /** A bare repository with one commit, prepared for git's dumb HTTP protocol. */
    private Path bareRepository() throws Exception {
        Path work = Files.createDirectories(home.resolve("work"));
        Files.writeString(work.resolve("README"), "hello from the served repo\n");
        for (List<String> c : List.of(Child.cmd("git", "init", "-q", "."), Child.cmd("git", "add", "README"),
                Child.cmd("git", "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-q", "-m", "first"))) {
            Child.Result r = child.run(c, null, work);
            assertEquals(0, r.exit(), c + ": " + r.err());
        }
        Path bare = home.resolve("served/repo.git");
        assertEquals(0, child.run(Child.cmd("git", "clone", "-q", "--bare", work.toString(), bare.toString()), null).exit());
        assertEquals(0, child.run(Child.cmd("git", "update-server-info"), null, bare).exit());
        return bare;
    }

    /** Serves the bare repository's files on 127.0.0.1, demanding Basic auth for every request. */
    private int serveDumbHttp(Path bare, String user, String password, AtomicInteger denied) throws Exception {
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/repo.git/", ex -> {
            try (ex) {
                if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    denied.incrementAndGet();
                    ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"keyring4j-test\"");
                    ex.sendResponseHeaders(401, -1);
                    return;
                }
                String rel = ex.getRequestURI().getPath().substring("/repo.git/".length());
                Path file = bare.resolve(rel).normalize();
                if (!file.startsWith(bare) || !Files.isRegularFile(file)) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = Files.readAllBytes(file);
                ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        });
        server.start();
        return server.getAddress().getPort();
    }
}
