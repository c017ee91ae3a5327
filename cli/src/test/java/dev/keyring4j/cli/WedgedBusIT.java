package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 (and 10): a wedged session bus, a unix socket that accepts every connection and never
 * answers (a D-Bus daemon that hangs), as {@code DBUS_SESSION_BUS_ADDRESS} and as
 * {@code $XDG_RUNTIME_DIR/bus}. Auto-detection reports secret-service as indeterminate and ends
 * (bounded only by a generous process timeout, never by a wall-clock assertion); it keeps it in the
 * chain as a failing member, so a write is refused rather than routed past it; and with
 * {@code KEYRING4J_BACKEND=kernel} nothing connects to the bus at all (the socket's accepts are counted).
 */
class WedgedBusIT {
    @TempDir
    Path home;
    private Path dir;
    private ServerSocketChannel server;
    private final AtomicInteger accepts = new AtomicInteger();
    private int sentinels;
    private final List<SocketChannel> held = new CopyOnWriteArrayList<>();
    private Thread acceptor;
    private Child child;

    @BeforeEach
    void wedge() throws Exception {
        // short path under /tmp: a unix socket path must fit in 108 bytes
        dir = Files.createTempDirectory(Path.of("/tmp"), "k4j-wedge-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path socket = dir.resolve("bus");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        acceptor = new Thread(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel c = server.accept();
                    held.add(c); // held open, never read, never answered
                    accepts.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "wedged-bus");
        acceptor.setDaemon(true);
        acceptor.start();
        child = new Child(home);
        child.env.remove("CREDENTIALS_DIRECTORY");
        child.with("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + socket, "XDG_RUNTIME_DIR", dir.toString(),
                "XDG_STATE_HOME", home.resolve("state").toString(), "XDG_CACHE_HOME", home.resolve("cache").toString());
    }

    @AfterEach
    void unwedge() throws Exception {
        server.close();
        acceptor.join(10_000);
        for (SocketChannel c : held) c.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Child.Result cli(String stdin, String... args) throws Exception {
        List<String> cmd = Child.cmd(child.bin.resolve("keyring4j").toString());
        cmd.addAll(List.of(args));
        return child.run(cmd, stdin);
    }

    private static String show(Child.Result r) {
        return "exit " + r.exit() + ", stdout [" + r.out().strip() + "], stderr [" + r.err().strip() + "]";
    }

    /**
     * How many connections others made to the wedged socket so far. Connects once more itself and
     * waits until that connection is accepted: connections are accepted in order, so every earlier
     * one has been counted by then.
     */
    private int acceptsSoFar() throws Exception {
        int before = accepts.get();
        try (SocketChannel sentinel = SocketChannel.open(server.getLocalAddress())) {
            for (int i = 0; i < 1000 && accepts.get() <= before; i++) Thread.sleep(10);
        }
        assertTrue(accepts.get() > before, "the wedged socket's own sentinel connection was never accepted");
        sentinels++;
        return accepts.get() - sentinels;
    }

    @Test
    void diagnoseReportsSecretServiceAsIndeterminateAndEnds() throws Exception {
        Child.Result r = cli(null, "diagnose"); // Child.finish gives up after minutes: the process must end by itself
        assertEquals(0, r.exit(), show(r));
        DiagnoseReport d = DiagnoseReport.parse(r.out());
        DiagnoseReport.Row ss = d.row("secret-service").orElseThrow(() -> new AssertionError("no secret-service row:\n" + r.out()));
        System.out.println("[issue18] wedged bus: secret-service " + ss.state() + " after " + ss.probeMillis() + " ms: " + ss.rest());
        System.out.println("[issue18] wedged bus: " + d.opens());
        assertEquals("indeterminate", ss.state(), "a bus that accepts and never answers proves nothing: indeterminate, not unavailable:\n" + r.out());
        assertTrue(acceptsSoFar() >= 1, "the probe did connect to the wedged socket");
        assertTrue(d.opens() != null && d.opens().contains("secret-service"),
                "the indeterminate member stays in the auto-detected chain:\n" + r.out());
    }

    @Test
    void behindAWedgedBusAnAutoDetectedWriteIsRefusedAndAReadNeverSaysAbsent() throws Exception {
        String service = "wedged-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Child.Result set = cli("never-written", "set", service, "acct");
        System.out.println("[issue18] wedged bus, auto-detected set: " + show(set));
        assertEquals(3, set.exit(), "a write that would route past an indeterminate secret-service is refused: " + show(set));
        assertTrue(set.err().contains("secret-service"), "naming secret-service: " + show(set));
        Child.Result get = cli(null, "get", service, "acct");
        System.out.println("[issue18] wedged bus, auto-detected get: " + show(get));
        assertEquals(3, get.exit(), "a read cannot answer \"absent\" from behind an indeterminate secret-service: " + show(get));
        assertTrue(get.err().contains("secret-service"), show(get));
        assertFalse(get.out().contains("never-written"));
    }

    @Test
    void withBackendKernelNothingConnectsToTheBus() throws Exception {
        dev.keyring4j.testkit.Prerequisites.require(Files.exists(Path.of("/proc/keys")), "the kernel key retention service (/proc/keys)");
        child.with("KEYRING4J_BACKEND", "kernel");
        String service = "wedged-kernel-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        int before = acceptsSoFar();
        try {
            Child.Result set = cli("kernel-only", "set", service, "acct");
            assertEquals(0, set.exit(), show(set));
            Child.Result get = cli(null, "get", service, "acct");
            assertEquals(0, get.exit(), show(get));
            assertEquals("kernel-only", get.out().strip());
            LibraryChildren library = LibraryChildren.in(home);
            Child.Result id = child.run(library.command("id"), null);
            assertEquals(0, id.exit(), show(id));
            assertEquals("kernel", id.out().strip(), "Keyring.open() with KEYRING4J_BACKEND=kernel");
        } finally {
            Child.Result del = cli(null, "delete", service, "acct");
            assertEquals(0, del.exit(), show(del));
        }
        assertEquals(before, acceptsSoFar(), "with KEYRING4J_BACKEND=kernel no process connected to the (wedged) session bus");
    }
}
