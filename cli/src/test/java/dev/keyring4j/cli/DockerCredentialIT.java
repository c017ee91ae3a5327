package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/**
 * The docker-credential-keyring4j launcher (repo root) driven with docker's exact exchanges, and the
 * real docker client using it (client-side login against a local registry, logout), no engine needed.
 */
class DockerCredentialIT {
    @TempDir
    Path home;
    Child child;
    String helper;
    HttpServer server;

    @BeforeEach
    void setUp() throws Exception {
        Path root = Path.of(System.getProperty("keyring4j.cli.jar")).toAbsolutePath().getParent().getParent().getParent();
        Path launcher = root.resolve("docker-credential-keyring4j");
        assertTrue(Files.isExecutable(launcher), launcher.toString());
        child = new Child(home).with("KEYRING4J_JAR", System.getProperty("keyring4j.cli.jar"));
        Files.createSymbolicLink(child.bin.resolve("docker-credential-keyring4j"), launcher);
        helper = child.bin.resolve("docker-credential-keyring4j").toString();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    @Test
    void getOfAnUnknownServerIsDockersNotFound() throws Exception {
        child.with("KEYRING4J_BACKEND", "env");
        Child.Result r = child.run(Child.cmd(helper, "get"), "https://nowhere.example.test");
        assertEquals(1, r.exit(), r.err());
        assertEquals("credentials not found in native keychain\n", r.out());
    }

    @Test
    void getAnswersFromTheEnvBackendWithDockersJson() throws Exception {
        String server = "https://index.docker.io/v1/";
        child.with("KEYRING4J_BACKEND", "env", Child.envVar("docker:" + server), "dckr_pat_env", Child.envVar("docker:" + server) + "_ID", "alice");
        Child.Result r = child.run(Child.cmd(helper, "get"), server);
        assertEquals(0, r.exit(), r.err());
        assertEquals("{\"ServerURL\":\"https://index.docker.io/v1/\",\"Username\":\"alice\",\"Secret\":\"dckr_pat_env\"}\n", r.out());
        Child.Result list = child.run(Child.cmd(helper, "list"), "");
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().startsWith("{") && list.out().endsWith("}\n"), list.out());
    }

    @Test
    void storeIntoAReadOnlyStoreFailsOnStdoutWithStatusOne() throws Exception {
        child.with("KEYRING4J_BACKEND", "env");
        Child.Result r = child.run(Child.cmd(helper, "store"), "{\"ServerURL\":\"r.test\",\"Username\":\"u\",\"Secret\":\"never-echoed\"}");
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("read-only"), r.out());
        assertFalse(r.out().contains("never-echoed") || r.err().contains("never-echoed"));
        assertEquals("Unknown credential action `frob`\n", child.run(Child.cmd(helper, "frob"), "").out());
    }

    @Test
    void aMalformedEscapeInStoreNeverEchoesTheSecret() throws Exception {
        child.with("KEYRING4J_BACKEND", "env");
        // docker never sends this, but whatever follows \\u is secret text and must not come back
        Child.Result r = child.run(Child.cmd(helper, "store"), "{\"ServerURL\":\"r.test\",\"Username\":\"u\",\"Secret\":\"\\u12zzs3cr3t-rest\"}");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.out().contains("malformed JSON at offset 49"), r.out());
        for (String part : List.of("12zz", "s3cr3t", "rest")) {
            assertFalse(r.out().contains(part) || r.err().contains(part), part + " echoed: " + r.out() + r.err());
        }
    }

    @Test
    void storeGetListEraseThroughAWritableBackend() throws Exception {
        Prerequisites.require(!child.writableBackends().isEmpty(),
                "a writable backend (kernel, secret-service or encrypted-file) available in keyring4j.jar");
        Child.Result r = child.run(Child.cmd(helper, "store"), "{\"ServerURL\":\"127.0.0.1:5000\",\"Username\":\"bob\",\"Secret\":\"pw-42\"}");
        assertEquals(0, r.exit(), r.out());
        assertEquals("{\"ServerURL\":\"127.0.0.1:5000\",\"Username\":\"bob\",\"Secret\":\"pw-42\"}\n", child.run(Child.cmd(helper, "get"), "127.0.0.1:5000").out());
        assertTrue(child.run(Child.cmd(helper, "list"), "").out().contains("\"127.0.0.1:5000\":\"bob\""));
        assertEquals(0, child.run(Child.cmd(helper, "erase"), "127.0.0.1:5000").exit());
        assertEquals("credentials not found in native keychain\n", child.run(Child.cmd(helper, "get"), "127.0.0.1:5000").out());
    }

    /** The docker CLI (no engine) logs in to a local registry client-side and hands the credential to our helper. */
    @Test
    void theDockerClientUsesTheHelper() throws Exception {
        Prerequisites.requireProgram("docker");
        Child.Result version = child.run(Child.cmd("docker", "version", "--format", "{{.Client.Version}}"), null);
        int major = Integer.parseInt(version.out().trim().split("\\.")[0]);
        Prerequisites.require(major >= 25, "a docker CLI that logs in client-side (25 or newer), found " + version.out().trim());
        AtomicInteger authorised = new AtomicInteger();
        int port = registry("bob", "registry-pw", authorised);
        Path dockerConfig = Files.createDirectories(home.resolve("docker"));
        Files.writeString(dockerConfig.resolve("config.json"), "{\"credsStore\":\"keyring4j\"}\n");
        child.with("DOCKER_CONFIG", dockerConfig.toString(), "DOCKER_HOST", "unix://" + home.resolve("no-engine.sock"));
        List<String> writable = child.writableBackends();
        if (writable.isEmpty()) child.with("KEYRING4J_BACKEND", "env");

        Child.Result login = child.run(Child.cmd("docker", "login", "-u", "bob", "--password-stdin", "127.0.0.1:" + port), "registry-pw\n");
        assertTrue(authorised.get() > 0, "the registry accepted docker's Basic auth: " + login.err());
        if (writable.isEmpty()) {
            // docker handed the credential to our helper, which refused it: the env backend is read-only
            assertEquals(1, login.exit(), login.out() + login.err());
            assertTrue(login.err().contains("error storing credentials") && login.err().contains("read-only"), login.err());
        } else {
            assertEquals(0, login.exit(), login.err());
            assertTrue(child.run(Child.cmd(helper, "get"), "127.0.0.1:" + port).out().contains("\"Username\":\"bob\""));
            Child.Result logout = child.run(Child.cmd("docker", "logout", "127.0.0.1:" + port), null);
            assertEquals(0, logout.exit(), logout.err());
            assertEquals("credentials not found in native keychain\n", child.run(Child.cmd(helper, "get"), "127.0.0.1:" + port).out());
        }
        assertFalse(login.out().contains("registry-pw") || login.err().contains("registry-pw"));
    }

    /** A registry's /v2/ on 127.0.0.1 that demands Basic auth, as `docker login` probes it. */
    private int registry(String user, String password, AtomicInteger authorised) throws Exception {
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/v2/", ex -> {
            try (ex) {
                ex.getResponseHeaders().add("Docker-Distribution-API-Version", "registry/2.0");
                if (expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    authorised.incrementAndGet();
                    ex.sendResponseHeaders(200, -1);
                } else {
                    ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"keyring4j-test\"");
                    ex.sendResponseHeaders(401, -1);
                }
            }
        });
        server.start();
        return server.getAddress().getPort();
    }
}
