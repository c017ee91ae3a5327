package dev.keyring4j.secretservice;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import java.nio.file.Path;
import java.util.Map;

/** How tests open a store with the two-phase SPI: probe, then open the candidate (what Keyring does). */
final class Open {
    private Open() {
    }

    /** Probes and opens; a probe that is not available fails the test with its answer. */
    static SecretServiceStore store(BackendConfig config) {
        Candidate c = new SecretServiceProvider().probe(config);
        if (!c.availability().isAvailable()) throw new AssertionError("the probe did not find the backend: " + c.availability());
        return (SecretServiceStore) c.open();
    }

    static SecretServiceStore store(Map<String, String> env, Map<String, String> settings) {
        return store(BackendConfig.of("secret-service", settings, env));
    }

    /**
     * {@code Keyring.open} naming only this backend, with {@code env} and no configuration files:
     * what a user who configured {@code backend = secret-service} gets (throws when it cannot open).
     */
    static CredentialStore named(Map<String, String> env, Path noFile) {
        return Keyring.open(KeyringConfig.builder().backend("secret-service").environment(env).userFile(noFile).systemFile(noFile).build());
    }
}
