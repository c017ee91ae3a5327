package dev.keyring4j.spring;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * The stores one application start opened, one per distinct {@code backend=}/{@code config=}, so
 * {@code keyring4j:a,keyring4j:b} probes and opens the store once. They stay open while the
 * application runs (properties are read lazily) and are closed with its context.
 */
final class OpenStores {
    private final Map<KeyringConfigDataResource.StoreSpec, CredentialStore> stores = new ConcurrentHashMap<>();

    private OpenStores() {
    }

    /** The instance of this application start, registered in its bootstrap context on first use. */
    static OpenStores of(ConfigurableBootstrapContext bootstrap) {
        bootstrap.registerIfAbsent(OpenStores.class, InstanceSupplier.from(() -> {
            OpenStores created = new OpenStores();
            bootstrap.addCloseListener(closed -> created.closeWith(closed.getApplicationContext()));
            return created;
        }));
        return bootstrap.get(OpenStores.class);
    }

    /** Opens (once) the store the spec selects; a {@link dev.keyring4j.KeyringException} says why it cannot be. */
    CredentialStore open(KeyringConfigDataResource.StoreSpec spec) {
        return stores.computeIfAbsent(spec, s -> {
            KeyringConfig.Builder config = KeyringConfig.builder();
            if (s.backend() != null) config.backend(s.backend());
            if (s.config() != null) config.configFile(s.config());
            return Keyring.open(config.build());
        });
    }

    private void closeWith(ConfigurableApplicationContext context) {
        context.addApplicationListener(event -> {
            if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == context) {
                stores.values().forEach(CredentialStore::close);
            }
        });
    }
}
