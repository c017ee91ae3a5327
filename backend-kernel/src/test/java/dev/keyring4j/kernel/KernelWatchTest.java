package dev.keyring4j.kernel;

import static dev.keyring4j.kernel.KernelFixture.keyctl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.ConfigurationException;
import dev.keyring4j.CredentialEvent;
import dev.keyring4j.CredentialId;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.Secret;
import dev.keyring4j.Subscription;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Watching kernel keys that {@code keyctl}, another process, changes; the poll and how diagnose reports it. */
class KernelWatchTest {
    private final String namespace = "keyring4j-watch-" + UUID.randomUUID();

    @BeforeAll
    static void requireKernelKeyring() {
        KernelFixture.requireKeyring();
    }

    @AfterEach
    void removeNamespace() {
        KernelFixture.removeNamespace(namespace);
    }

    private KernelKeyStore open(String interval) {
        return KernelFixture.open(BackendConfig.of("kernel", Map.of("namespace", namespace, "watch-interval", interval), Map.of()));
    }

    private int keyId(String service, String account) {
        int ns = Integer.parseInt(keyctl("search", "@u", "keyring", namespace));
        int svc = Integer.parseInt(keyctl("search", Integer.toString(ns), "keyring", service));
        return Integer.parseInt(keyctl("search", Integer.toString(svc), "user", account));
    }

    @Test
    void keyctlInAnotherProcessChangesAndRemovesTheKey() throws Exception {
        CredentialId id = new CredentialId("watch.kernel", "ops");
        try (KernelKeyStore s = open("PT0.5S")) {
            s.set(id.service(), id.account(), Secret.of("before"));
            s.set(id.service(), "other", Secret.of("other"));
            LinkedBlockingQueue<CredentialEvent> q = new LinkedBlockingQueue<>();
            try (Subscription sub = s.watch(id.service(), id.account(), q::add)) {
                keyctl("update", Integer.toString(keyId(id.service(), "other")), "other changed");
                keyctl("update", Integer.toString(keyId(id.service(), id.account())), "after");
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.CHANGED), q.poll(2500, TimeUnit.MILLISECONDS), "keyctl update");
                assertEquals("after", s.get(id.service(), id.account()).orElseThrow().asString());
                keyctl("invalidate", Integer.toString(keyId(id.service(), id.account())));
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.DELETED), q.poll(2500, TimeUnit.MILLISECONDS), "keyctl invalidate");
                assertNull(q.poll(1200, TimeUnit.MILLISECONDS), "the other key's change fires nothing here");
            }
        }
    }

    @Test
    void theProbeSaysHowItWatches() {
        Candidate c = new KernelKeyringProvider().probe(BackendConfig.of("kernel", Map.of("namespace", namespace), Map.of()));
        String why = KeyctlSyscalls.notificationPipeUnavailable();
        assertTrue(c.capabilities().watchable());
        assertTrue(c.watchMechanism().startsWith("polls every 5 s (kernel.watch-interval)"), c.watchMechanism());
        if (why != null) assertTrue(c.watchMechanism().contains(why), c.watchMechanism());
        System.out.println("kernel watch: " + c.watchMechanism());
        c.discard();
        String report = Keyring.diagnose(KeyringConfig.builder().backend("kernel").set("kernel.namespace", namespace).set("kernel.watch-interval", "PT2S").build());
        assertTrue(report.contains("polls every 2 s (kernel.watch-interval)"), report);
    }

    @Test
    void aNonPositiveIntervalIsAConfigurationError() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new KernelKeyringProvider().probe(BackendConfig.of("kernel", Map.of("watch-interval", "PT0S"), Map.of())));
        assertTrue(e.getMessage().contains("kernel.watch-interval"), e.getMessage());
    }
}
