package dev.keyring4j.env;

import dev.keyring4j.Capabilities;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.spi.CredentialStoreProvider;
import dev.keyring4j.spi.Setting;
import java.util.List;

/**
 * The {@code env} backend: read-only credentials from environment variables, the last resort
 * for CI and containers. Always available, at the lowest default priority (1).
 * See {@link EnvStore} for the naming rules.
 */
public final class EnvProvider implements CredentialStoreProvider {
    static final int PRIORITY = 1;
    static final Capabilities CAPABILITIES = Capabilities.of(Capabilities.Flag.LISTABLE);

    @Override
    public String id() {
        return "env";
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(EnvNames.PREFIX);
    }

    @Override
    public Candidate probe(BackendConfig config) {
        EnvNames names = EnvNames.from(config);
        // no probe clock: nothing is asked, the environment is already in hand
        long count = config.env().keySet().stream().filter(names::isOurs).count();
        return Candidate.of(Availability.available(PRIORITY, "read-only; " + count + " variable(s) with prefix " + names.prefix() + "_"),
                CAPABILITIES, () -> new EnvStore(names, config.env()));
    }
}
