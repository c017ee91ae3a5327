package dev.keyring4j.smallrye;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.SecretKeysHandler;
import io.smallrye.config.SecretKeysHandlerFactory;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Makes the {@code keyring4j} {@link KeyringSecretKeysHandler} of a SmallRye configuration; found
 * through {@code META-INF/services/io.smallrye.config.SecretKeysHandlerFactory} (and the module
 * path's {@code provides}) by {@code SmallRyeConfigBuilder.addDiscoveredSecretKeysHandlers()} and by
 * Quarkus, which registers every handler factory it finds on the class path.
 *
 * <p>The store is the one {@link SmallRyeKeyringConfig} selects from that same configuration
 * ({@code keyring4j.backend}, {@code keyring4j.<id>.<key>}, …), opened when the first
 * {@code ${keyring4j::…}} expression is expanded (a configuration without one never opens a store)
 * and kept open for the configuration's lifetime. Opening fails with keyring4j's own exception
 * (a configuration mistake, an unavailable backend) and is tried again at the next expression.
 */
public final class KeyringSecretKeysHandlerFactory implements SecretKeysHandlerFactory {
    /** For {@link java.util.ServiceLoader}. */
    public KeyringSecretKeysHandlerFactory() {
    }

    @Override
    public SecretKeysHandler getSecretKeysHandler(ConfigSourceContext context) {
        // called while SmallRye builds its interceptors: nothing is read or opened here
        return new KeyringSecretKeysHandler(new OpenOnce(() -> Keyring.open(SmallRyeKeyringConfig.of(context.iterateNames(), name -> {
            ConfigValue v = context.getValue(name);
            return v == null ? Optional.empty() : Optional.ofNullable(v.getValue());
        }))));
    }

    @Override
    public String getName() {
        return KeyringSecretKeysHandler.NAME;
    }

    /** The store, opened by the first caller that needs it; a failed open is retried by the next. */
    private static final class OpenOnce implements Supplier<CredentialStore> {
        private final Supplier<CredentialStore> open;
        private volatile CredentialStore store;

        OpenOnce(Supplier<CredentialStore> open) {
            this.open = open;
        }

        @Override
        public CredentialStore get() {
            CredentialStore s = store;
            if (s != null) return s;
            synchronized (this) {
                if (store == null) store = open.get();
                return store;
            }
        }
    }
}
