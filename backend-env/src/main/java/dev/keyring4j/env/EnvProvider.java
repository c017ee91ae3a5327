package dev.keyring4j.env;

import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.CredentialStoreProvider;
import java.util.Set;

/**
 * The {@code env} backend: read-only credentials from environment variables, the last resort
 * for CI and containers. Always available, at the lowest default priority (1).
 * See {@link EnvStore} for the naming rules.
 */
public final class EnvProvider implements CredentialStoreProvider {
    static final int PRIORITY = 1;
    static final Capabilities CAPABILITIES = new Capabilities(false, false, false, false, true);

    @Override
    public String id() {
        return "env";
    }

    @Override
    public Capabilities capabilities(BackendConfig config) {
        return CAPABILITIES;
    }

    @Override
    public Set<String> configKeys() {
        return Set.of("prefix");
    }

    @Override
    public Availability probe(BackendConfig config) {
        EnvNames names = EnvNames.from(config);
        long count = config.env().keySet().stream().filter(names::isOurs).count();
        return Availability.available(PRIORITY, "read-only; " + count + " variable(s) with prefix " + names.prefix() + "_");
    }

    @Override
    public CredentialStore open(BackendConfig config) {
        return new EnvStore(EnvNames.from(config), config.env());
    }
}
