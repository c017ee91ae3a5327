package dev.keyring4j.spring;

import dev.keyring4j.ConfigurationException;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import java.util.List;
import org.apache.commons.logging.Log;
import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;
import org.springframework.boot.logging.DeferredLogFactory;

/**
 * Loads a {@code keyring4j:SERVICE} import (registered in {@code META-INF/spring.factories}):
 * opens the store, lists the service's accounts and returns them as one
 * {@link KeyringPropertySource}; no secret is read here.
 *
 * <p>The plain form fails startup with a {@link KeyringImportException} carrying keyring4j's
 * message when the store cannot be opened or listed, and when the service holds no credential.
 * {@code optional:} starts without the properties in those cases (a line at WARN says why when the
 * store failed), but never tolerates a configuration mistake ({@link ConfigurationException}).
 */
final class KeyringConfigDataLoader implements ConfigDataLoader<KeyringConfigDataResource> {
    private final Log log;

    KeyringConfigDataLoader(DeferredLogFactory logs) {
        this.log = logs.getLog(KeyringConfigDataLoader.class);
    }

    @Override
    public ConfigData load(ConfigDataLoaderContext context, KeyringConfigDataResource resource) {
        String location = (resource.optional() ? "optional:" : "") + resource;
        CredentialStore store;
        List<String> accounts;
        try {
            store = OpenStores.of(context.getBootstrapContext()).open(resource.store());
            accounts = store.list(resource.service()).stream().map(CredentialId::account).toList();
        } catch (KeyringException e) {
            if (!resource.optional() || e instanceof ConfigurationException) throw new KeyringImportException(location, e.getMessage(), e);
            log.warn("spring.config.import location '" + location + "' skipped: " + e.getMessage());
            return ConfigData.EMPTY;
        }
        if (accounts.isEmpty()) {
            if (!resource.optional()) {
                throw new KeyringImportException(location, "the " + store.id() + " store holds no credential of service '"
                        + resource.service() + "'; store one with keyring4j set " + resource.service() + " <property name>", null);
            }
            log.debug("spring.config.import location '" + location + "': the " + store.id() + " store holds no credential of service '"
                    + resource.service() + "'");
            return ConfigData.EMPTY;
        }
        // the store's accounts must not steer Boot: no spring.config.import or profile activation from them
        return new ConfigData(List.of(new KeyringPropertySource(resource.toString(), store, resource.service(), accounts)),
                ConfigData.Option.IGNORE_IMPORTS, ConfigData.Option.IGNORE_PROFILES);
    }
}
