package dev.keyring4j.spring;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real kernel keyring, in a namespace of its own ({@code kernel.namespace} in a properties file
 * that the imports name with {@code config=}), so a run never touches the default {@code keyring4j}
 * namespace. {@link #remove()} deletes what the test stored and unlinks the namespace keyring.
 */
final class TestKeyring {
    private final String namespace = "keyring4j-spring-test-" + UUID.randomUUID();
    private final Path config;
    private final CredentialStore store;

    TestKeyring(Path dir) throws IOException {
        config = Files.writeString(dir.resolve("keyring.properties"), "kernel.namespace = " + namespace + "\n");
        store = Keyring.open(KeyringConfig.builder().backend("kernel").configFile(config).build());
    }

    /** The import of {@code service} from this keyring, as the application writes it. */
    String location(String service) {
        return "keyring4j:" + service + "?backend=kernel&config=" + config;
    }

    /**
     * A store that is unavailable here: an encrypted file protected by a passphrase that nobody
     * supplies (no {@code KEYRING4J_PASSPHRASE}, no PassphraseProvider); its probe says so and writes nothing.
     */
    static String lockedLocation(Path dir, String service) throws IOException {
        Path config = Files.writeString(dir.resolve("locked.properties"),
                "encrypted-file.path = " + dir.resolve("locked.k4j") + "\nencrypted-file.protection = passphrase\n");
        return "keyring4j:" + service + "?backend=encrypted-file&config=" + config;
    }

    /** What {@code keyring4j set SERVICE ACCOUNT} does. */
    void set(String service, String account, String secret) {
        store.set(service, account, Secret.of(secret));
    }

    void delete(String service, String account) {
        store.delete(service, account);
    }

    /** Deletes every credential of the namespace and unlinks its keyring. */
    void remove() throws IOException, InterruptedException {
        for (CredentialId id : store.list()) store.delete(id.service(), id.account());
        store.close();
        // the namespace keyring itself stays linked to @u once empty: unlink it with the native tool
        Process search = new ProcessBuilder("keyctl", "search", "@u", "keyring", namespace).redirectErrorStream(true).start();
        String id = new String(search.getInputStream().readAllBytes()).trim();
        if (search.waitFor(30, TimeUnit.SECONDS) && search.exitValue() == 0) {
            new ProcessBuilder("keyctl", "unlink", id, "@u").inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
