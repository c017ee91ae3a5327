package dev.keyring4j.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialEvent;
import dev.keyring4j.CredentialId;
import dev.keyring4j.Subscription;
import dev.keyring4j.testkit.EtcdFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs standing for two hosts, each with its own home and its own copy of one key file (as
 * configuration management deploys it), through {@code Keyring.open}: what one writes the other
 * reads, and a ttl write expires for both.
 */
class TwoHostsTest {
    private static EtcdFixture etcd;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        etcd = EtcdFixture.cluster();
    }

    @AfterAll
    static void stop() {
        if (etcd != null) etcd.close();
    }

    private String run(Path home, String prefix, String... op) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), EtcdPeer.class.getName(),
                etcd.endpoints(), prefix, home.resolve("etcd.key").toString()));
        cmd.addAll(List.of(op));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve("config").toString());
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "peer did not exit");
        assertEquals(0, p.exitValue(), out);
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** A host's home: a private directory of its own. */
    private Path host(String name) throws java.io.IOException {
        Path h = Files.createDirectories(tmp.resolve(name));
        Files.setPosixFilePermissions(h, PosixFilePermissions.fromString("rwx------"));
        return h;
    }

    @Test
    void whatOneHostWritesTheOtherReadsAndTtlsExpireForBoth() throws Exception {
        Path a = host("host-a");
        Path b = host("host-b");
        String prefix = Stores.freshPrefix();
        assertEquals("OK", run(a, prefix, "set", "deploy", "ci-bot", "token-from-a"), "host a creates the keyset and its key file");
        assertTrue(Files.exists(a.resolve("etcd.key")));
        Files.copy(a.resolve("etcd.key"), b.resolve("etcd.key"), StandardCopyOption.COPY_ATTRIBUTES); // the fleet's deployment step
        assertEquals("VALUE token-from-a", run(b, prefix, "get", "deploy", "ci-bot"));
        assertEquals("OK", run(b, prefix, "set", "deploy", "ci-bot", "token-from-b"));
        assertEquals("VALUE token-from-b", run(a, prefix, "get", "deploy", "ci-bot"));

        // 10 s: long enough for host b's JVM to start and read it on a loaded machine; the lease is the server's, so it ends for both
        assertEquals("OK", run(a, prefix, "set", "oauth", "short", "lived", "10"));
        long written = System.nanoTime();
        assertEquals("VALUE lived", run(b, prefix, "get", "oauth", "short"));
        String seen;
        do {
            seen = run(b, prefix, "get", "oauth", "short");
        } while (!seen.equals("ABSENT") && System.nanoTime() - written < TimeUnit.SECONDS.toNanos(40));
        assertEquals("ABSENT", seen, "expired for host b");
        assertEquals("ABSENT", run(a, prefix, "get", "oauth", "short"), "and for host a");
    }

    @Test
    void aWatchOnOneHostSeesTheOtherHostsChangesAndNothingElse() throws Exception {
        Path a = host("watch-a");
        Path b = host("watch-b");
        String prefix = Stores.freshPrefix();
        assertEquals("OK", run(a, prefix, "set", "db.example.com", "app", "one"));
        Files.copy(a.resolve("etcd.key"), b.resolve("etcd.key"), StandardCopyOption.COPY_ATTRIBUTES);
        CredentialId id = new CredentialId("db.example.com", "app");
        LinkedBlockingQueue<CredentialEvent> events = new LinkedBlockingQueue<>();
        try (EtcdStore watching = Stores.open(etcd, a, prefix, "keyfile", a.resolve("etcd.key").toString());
             Subscription sub = watching.watch(id.service(), id.account(), events::add)) {
            assertEquals("OK", run(b, prefix, "set", "db.example.com", "app", "two"));
            assertEquals(new CredentialEvent(id, CredentialEvent.Kind.CHANGED), events.poll(2, TimeUnit.SECONDS), "host b changed it");
            assertEquals("OK", run(b, prefix, "set", "db.example.com", "other", "x"));
            assertEquals("OK", run(b, prefix, "set", "db.example.com", "app", "two")); // the same value again
            assertNull(events.poll(1, TimeUnit.SECONDS), "another credential, or the same value, fires nothing");
            assertEquals("DELETED", run(b, prefix, "delete", "db.example.com", "app"));
            assertEquals(new CredentialEvent(id, CredentialEvent.Kind.DELETED), events.poll(2, TimeUnit.SECONDS), "host b deleted it");
            assertEquals("OK", run(b, prefix, "set", "db.example.com", "app", "three"));
            assertEquals(new CredentialEvent(id, CredentialEvent.Kind.CREATED), events.poll(2, TimeUnit.SECONDS), "host b created it again");
        }
    }
}
