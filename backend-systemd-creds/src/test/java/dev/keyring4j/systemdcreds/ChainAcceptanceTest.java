package dev.keyring4j.systemdcreds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.BackendStatus;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.InMemoryCredentialStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code CREDENTIALS_DIRECTORY} set, auto-detection through ServiceLoader puts systemd-creds
 * first for reads, and writes still go to the first writable persistent backend. The writable
 * backend is {@link DurableTestProvider} (test scope), so this runs the real discovery, probing,
 * ranking and chain of {@link Keyring#open(KeyringConfig)}.
 */
class ChainAcceptanceTest {
    @TempDir
    Path tmp;

    private KeyringConfig config(Path credentialsDirectory, InMemoryCredentialStore durable) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", tmp.toString());
        if (credentialsDirectory != null) env.put("CREDENTIALS_DIRECTORY", credentialsDirectory.toString());
        return KeyringConfig.builder()
                .environment(env)
                .systemProperties(Map.of())
                .userFile(tmp.resolve("no-user-file"))
                .systemFile(tmp.resolve("no-system-file"))
                .component(InMemoryCredentialStore.class, durable)
                .build();
    }

    @Test
    void credentialsDirectoryComesFirstForReadsAndWritesGoToThePersistentBackend() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        CredentialFiles.write(cd, SystemdCredentials.credentialName("github.com", "alice"), "from systemd".getBytes(UTF_8));
        InMemoryCredentialStore durable = InMemoryCredentialStore.persistent(DurableTestProvider.ID);
        durable.put("github.com", "alice", Secret.of("older copy in the durable store"));
        KeyringConfig config = config(cd, durable);

        List<BackendStatus> statuses = Keyring.backends(config);
        assertEquals(List.of("systemd-creds", "durable-test"), statuses.stream().map(BackendStatus::id).toList());
        assertEquals(20, statuses.get(0).priority());
        assertTrue(statuses.get(0).available());
        assertTrue(statuses.get(0).reason().contains(cd.toString()), statuses.get(0).reason());

        String diagnosis = Keyring.diagnose(config);
        assertTrue(diagnosis.contains("Keyring.open() returns: chain[systemd-creds,durable-test]"), diagnosis);
        assertTrue(diagnosis.contains("writes without a ttl go to: durable-test"), diagnosis);
        assertTrue(diagnosis.contains("reads try, in order: systemd-creds -> durable-test"), diagnosis);

        try (CredentialStore store = Keyring.open(config)) {
            assertEquals("chain[systemd-creds,durable-test]", store.id());
            assertEquals("from systemd", store.get("github.com", "alice").orElseThrow().asString(), "systemd-creds answers first");
            assertEquals("from systemd", store.find("github.com").orElseThrow().secret().asString());

            store.set("app", "token", Secret.of("written"));
            assertEquals("written", durable.get("app", "token").orElseThrow().asString(), "the write went to the persistent backend");
            assertEquals("written", store.get("app", "token").orElseThrow().asString());
            try (CredentialStore direct = CredentialFiles.open(cd)) {
                assertEquals(List.of(), direct.list("app"), "nothing was written into the credentials directory");
            }

            assertTrue(store.delete("app", "token"));
            assertEquals(Optional.empty(), durable.get("app", "token"));
            assertTrue(store.list().contains(new dev.keyring4j.CredentialId("github.com", "alice")));
        }
    }

    @Test
    void withoutCredentialsDirectoryTheBackendStaysOutOfTheChain() {
        InMemoryCredentialStore durable = InMemoryCredentialStore.persistent(DurableTestProvider.ID);
        KeyringConfig config = config(null, durable);
        BackendStatus systemd = Keyring.backends(config).stream().filter(s -> s.id().equals("systemd-creds")).findFirst().orElseThrow();
        assertFalse(systemd.available());
        assertTrue(systemd.reason().contains("$CREDENTIALS_DIRECTORY is not set"), systemd.reason());
        try (CredentialStore store = Keyring.open(config)) {
            assertEquals("durable-test", store.id());
        }
    }

    @Test
    void explicitChainBehavesTheSame() {
        Path cd = CredentialFiles.dir(tmp, "cd");
        CredentialFiles.write(cd, "db.app", "provisioned".getBytes(UTF_8));
        InMemoryCredentialStore durable = InMemoryCredentialStore.persistent("durable");
        try (CredentialStore chain = Keyring.chain(CredentialFiles.open(cd), durable)) {
            chain.set("db", "app", Secret.of("local override"));
            assertEquals("local override", durable.get("db", "app").orElseThrow().asString());
            // a provisioned credential is the service's configuration: it keeps answering reads first
            assertEquals("provisioned", chain.get("db", "app").orElseThrow().asString());
        }
    }
}
