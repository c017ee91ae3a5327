package dev.keyring4j.spi;

import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialStore;
import java.util.Set;

/**
 * A backend, as {@link java.util.ServiceLoader} discovers it. Providers only describe themselves
 * and build stores; discovery, ranking and configuration happen in one place,
 * {@link dev.keyring4j.Keyring}.
 *
 * <p>Register an implementation with {@code provides dev.keyring4j.spi.CredentialStoreProvider with …}
 * in {@code module-info.java} and in {@code META-INF/services/dev.keyring4j.spi.CredentialStoreProvider}.
 * It needs a public no-argument constructor.
 */
public interface CredentialStoreProvider {

    /** The backend id, lowercase, e.g. {@code kernel}; also the prefix of its configuration keys. */
    String id();

    /** What a store opened with this configuration can do. Cheap; never touches the backend. */
    Capabilities capabilities(BackendConfig config);

    /**
     * The configuration keys this backend understands, without the {@code <id>.} prefix.
     * {@code priority} and {@code enabled} are understood for every backend and need not be listed.
     * Any other key in the configuration is an error that names its source.
     */
    default Set<String> configKeys() {
        return Set.of();
    }

    /**
     * Whether {@code key} (without the {@code <id>.} prefix) is a configuration key of this backend.
     * The default is membership in {@link #configKeys()}; a backend with dynamic keys (such as
     * {@code rule.<name>.run}) overrides this. Keys it refuses fail configuration with their source.
     */
    default boolean acceptsKey(String key) {
        return configKeys().contains(key);
    }

    /**
     * How {@link dev.keyring4j.Keyring#diagnose} shows the configured value of {@code key} (without
     * the {@code <id>.} prefix) in its "Settings in effect". The default shows the value as it is.
     * A backend whose values can carry secrets (a command line with {@code --client-secret=…}, a
     * token) overrides this to return a masked form that still says what is configured, e.g.
     * {@code /usr/bin/mint-token [3 arguments masked]}. Must not throw; if it does, the value is
     * not shown at all.
     */
    default String displayValue(String key, String value) {
        return value;
    }

    /**
     * Whether this backend can be used now, and at which priority. Cheap, never prompts, never
     * writes, and answers within a bounded time (a dead D-Bus must not stall {@code Keyring.open()}).
     * May throw; the throw is reported as unavailability with its message.
     */
    Availability probe(BackendConfig config);

    /**
     * Opens a store. Throws {@link dev.keyring4j.BackendUnavailableException} (or another
     * {@link dev.keyring4j.KeyringException}) with the reason when it cannot.
     */
    CredentialStore open(BackendConfig config);
}
