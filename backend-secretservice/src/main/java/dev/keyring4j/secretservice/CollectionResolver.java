package dev.keyring4j.secretservice;

import dev.keyring4j.BackendUnavailableException;
import java.util.Optional;

/**
 * Finds the collection a store writes to: the configured one (an alias, a name under
 * {@code /org/freedesktop/secrets/collection/}, or a path), else the {@code default} alias, else
 * {@code login}, else (with a warning, as it does not survive a logout) {@code session}. A
 * collection that cannot be found is a {@link BackendUnavailableException} naming what to do;
 * whether it is locked is not decided here (see {@link CollectionUnlocker}).
 */
final class CollectionResolver {
    private static final System.Logger LOG = System.getLogger(CollectionResolver.class.getName());

    private CollectionResolver() {
    }

    static String resolve(SecretServiceClient client, SecretServiceSettings settings) {
        if (settings.collection().isPresent()) {
            String c = settings.collection().get();
            Optional<String> found = c.startsWith("/") ? existing(client, c)
                    : client.readAlias(c).or(() -> existing(client, SecretServiceClient.COLLECTION_PREFIX + c));
            return found.orElseThrow(() -> new BackendUnavailableException("secret-service: the collection '" + c
                    + "' (from secret-service.collection) does not exist; create it (e.g. in Seahorse) or configure another"));
        }
        Optional<String> found = client.readAlias("default");
        if (found.isEmpty()) found = existing(client, SecretServiceClient.COLLECTION_PREFIX + "login");
        if (found.isEmpty()) {
            found = client.readAlias("session").or(() -> existing(client, SecretServiceClient.COLLECTION_PREFIX + "session"));
            found.ifPresent(p -> LOG.log(System.Logger.Level.WARNING,
                    "secret-service: no default or login collection; using the session collection, which does not survive a logout"));
        }
        return found.orElseThrow(() -> new BackendUnavailableException(
                "secret-service: the Secret Service has no default, login or session collection; create one (log in to the desktop once, or use Seahorse)"));
    }

    /** The collection's label for messages, or its path when it has none or will not say. */
    static String displayName(SecretServiceClient client, String path) {
        try {
            String label = client.label(path);
            return label.isEmpty() ? path : label;
        } catch (BusCallException e) {
            return path;
        }
    }

    private static Optional<String> existing(SecretServiceClient client, String path) {
        return client.collectionExists(path) ? Optional.of(path) : Optional.empty();
    }
}
