package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.testkit.Prerequisites;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: with {@code backend = kernel}, {@code Keyring.open()} never asks the secret-service backend,
 * so a session bus that accepts connections and never answers costs it nothing. The real kernel and
 * secret-service backends (both on this module's class path) and a real unix socket that stalls.
 */
class NamedBackendProbeTest {
    @TempDir
    Path dir;

    @Test
    void aWedgedBusIsNeverContactedWhenTheConfigurationNamesKernel() throws Exception {
        Prerequisites.require(Path.of("/proc/keys").toFile().exists(), "the kernel key retention service (/proc/keys)");
        Path socket = dir.resolve("bus");
        AtomicInteger accepted = new AtomicInteger();
        List<SocketChannel> held = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        SocketChannel c = server.accept(); // accept, then never say a word
                        accepted.incrementAndGet();
                        synchronized (held) {
                            held.add(c);
                        }
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            }, "wedged-bus");
            acceptor.setDaemon(true);
            acceptor.start();

            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + socket);
            env.put("HOME", dir.toString());
            // the wedged bus is real: auto-detection does contact it
            Keyring.backends(KeyringConfig.builder().environment(env).build());
            assertTrue(accepted.get() > 0, "the secret-service probe did not reach the socket, so this test would prove nothing");

            int before = accepted.get();
            try (CredentialStore store = Keyring.open(KeyringConfig.builder().environment(env).backend("kernel").build())) {
                assertEquals("kernel", store.id());
            }
            assertEquals(before, accepted.get(), "open() with backend = kernel connected to the session bus");
        } finally {
            synchronized (held) {
                for (SocketChannel c : held) c.close();
            }
        }
    }
}
