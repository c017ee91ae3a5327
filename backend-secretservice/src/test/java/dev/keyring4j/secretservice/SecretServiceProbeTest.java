package dev.keyring4j.secretservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.testkit.SecretServiceFixture;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe's three answers on real sockets, and its one connection: the store opened from a
 * candidate keeps the probe's connection, and a candidate that is not opened closes it.
 */
class SecretServiceProbeTest {
    private static final Duration BOUND = Duration.ofSeconds(4);

    @TempDir
    Path dir;

    private static Candidate probe(Map<String, String> env, Map<String, String> settings) {
        return new SecretServiceProvider().probe(BackendConfig.of("secret-service", settings, env));
    }

    @Test
    void aSocketThatRefusesProvesThereIsNoBus() throws Exception {
        Path socket = dir.resolve("bus");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
        }
        // the file a bus that exited leaves behind: connecting is refused (ECONNREFUSED)
        assertTrue(Files.exists(socket));
        Candidate c = assertTimeoutPreemptively(BOUND, () -> probe(Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + socket), Map.of()));
        Availability a = c.availability();
        assertEquals(Availability.State.UNAVAILABLE, a.state(), a.toString());
        assertTrue(a.reason().contains("nothing listens") && a.reason().contains(socket.toString()), a.reason());
    }

    @Test
    void aBusThatAcceptsAndNeverAnswersIsIndeterminateWithinTheCallTimeout() throws Exception {
        Path socket = dir.resolve("bus");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            // listening and never reading: a connection completes in the backlog, and no answer ever comes
            server.bind(UnixDomainSocketAddress.of(socket));
            Candidate c = assertTimeoutPreemptively(BOUND,
                    () -> probe(Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + socket), Map.of("timeout", "PT1S")));
            Availability a = c.availability();
            assertTrue(a.isIndeterminate(), a.toString());
            assertTrue(a.reason().contains("1000 ms"), a.reason());
        }
    }

    @Test
    void theOpenedStoreKeepsTheProbesConnectionAndAnUnopenedCandidateClosesIt() throws Exception {
        try (SecretServiceFixture f = SecretServiceFixture.start();
             BusConnection watcher = BusConnection.open(f.busAddress(), Duration.ofSeconds(5))) {
            int before = clients(watcher);
            Candidate opened = probe(f.environment(), Map.of());
            assertTrue(opened.availability().isAvailable(), opened.availability().toString());
            assertEquals(before + 1, clients(watcher), "the probe holds one connection");
            try (CredentialStore s = opened.open()) {
                s.set("probe.reuse", "alice", Secret.of("one connection"));
                assertEquals("one connection", s.get("probe.reuse", "alice").orElseThrow().asString());
                assertEquals(before + 1, clients(watcher), "opening connected nothing more");
                s.delete("probe.reuse", "alice");
            }
            await(() -> clients(watcher) == before, "closing the store to close the probe's connection");

            Candidate unopened = probe(f.environment(), Map.of());
            assertEquals(before + 1, clients(watcher));
            unopened.discard();
            await(() -> clients(watcher) == before, "discarding the candidate to close its connection");
        }
    }

    /** How many connections (unique names) the bus has. */
    private static int clients(BusConnection bus) {
        List<Object> names = DBusValues.list(bus.call(BusConnection.BUS_NAME, BusConnection.BUS_PATH, BusConnection.BUS_NAME, "ListNames", null)[0]);
        return (int) names.stream().filter(n -> String.valueOf(n).startsWith(":")).count();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
