package dev.keyring4j.spring;

import dev.keyring4j.ConfigurationException;
import java.util.List;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;

/**
 * Resolves {@code [optional:]keyring4j:SERVICE[?backend=ID][&config=PATH]} from
 * {@code spring.config.import} (registered in {@code META-INF/spring.factories}). Only parses: a
 * malformed location, an unknown or repeated parameter fails startup here, with or without
 * {@code optional:}, and no store is opened until {@link KeyringConfigDataLoader} loads it.
 */
final class KeyringConfigDataLocationResolver implements ConfigDataLocationResolver<KeyringConfigDataResource> {

    @Override
    public boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        return location.hasPrefix(KeyringConfigDataResource.PREFIX);
    }

    @Override
    public List<KeyringConfigDataResource> resolve(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        try {
            return List.of(KeyringConfigDataResource.parse(location.getValue(), location.isOptional()));
        } catch (ConfigurationException e) {
            throw new KeyringImportException(location.toString(), e.getMessage(), e);
        }
    }
}
