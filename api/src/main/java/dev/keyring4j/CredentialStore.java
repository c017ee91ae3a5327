package dev.keyring4j;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A place that holds credentials keyed by {@code (service, account)}.
 *
 * <p>Guarantees every implementation keeps: thread-safe; {@code service} and {@code account} are
 * non-empty (else {@link IllegalArgumentException}); a name the store cannot hold faithfully is
 * refused with {@link IllegalArgumentException} before anything is written; a credential that
 * cannot be read because of a failure (locked, denied, unreachable, damaged) is reported by a
 * {@link KeyringException}, never as absent; no exception message contains a secret.
 */
public interface CredentialStore extends AutoCloseable {

    /** The backend id ({@code kernel}), or for a chain {@code chain[a,b,…]}. */
    String id();

    /** What this store can do. */
    Capabilities capabilities();

    /** The secret stored under these names, or empty when there is none (expired counts as none). */
    Optional<Secret> get(String service, String account);

    /** Stores the secret, replacing any earlier one under the same names. */
    void set(String service, String account, Secret secret);

    /**
     * Stores the secret so that it expires after {@code ttl}.
     *
     * @throws ReadOnlyStoreException when this store is read-only ({@link Capabilities#writable()} is false),
     *         as for every other write
     * @throws UnsupportedOperationException when this writable store cannot expire credentials
     *         ({@link Capabilities#expiry()} is false); it never stores without the expiry
     */
    default void set(String service, String account, Secret secret, Duration ttl) {
        CredentialId.requireNames(service, account);
        if (!capabilities().writable()) {
            throw new ReadOnlyStoreException("the " + id() + " store is read-only and cannot store credentials, with or without a ttl;"
                    + " provision the value through that store's own mechanism, or configure a writable backend");
        }
        throw new UnsupportedOperationException("the " + id() + " store cannot expire credentials;"
                + " use a store with expiry (e.g. kernel) or set without a ttl");
    }

    /** Removes the credential; true if there was one. */
    boolean delete(String service, String account);

    /** Some credential of this service (any one account), or empty. */
    default Optional<Credential> find(String service) {
        for (CredentialId id : list(service)) {
            Optional<Secret> secret = get(id.service(), id.account());
            if (secret.isPresent()) return Optional.of(new Credential(id.service(), id.account(), secret.get()));
        }
        return Optional.empty();
    }

    /** The ids of every account this store holds for the service. */
    List<CredentialId> list(String service);

    /** The ids of every credential this store holds. */
    List<CredentialId> list();

    /**
     * Tells {@code listener} when the credential {@code (service, account)} is created, changed or
     * deleted by anyone (this process, another process, the backend's own tools), and with
     * {@link CredentialEvent.Kind#RESYNC} when events may have been missed. Events never carry the
     * secret. The listener runs on keyring4j's shared dispatch threads, never on the caller's thread
     * and never on a thread of its own: a slow or throwing listener delays or breaks no other
     * listener (docs/watch.md says what each backend guarantees: latency, what can be missed).
     * The credential need not exist yet.
     *
     * @return the watch; close it to stop delivery
     * @throws UnsupportedOperationException when this store cannot watch ({@link Capabilities#watchable()} is false);
     *         the message names the backend
     */
    default Subscription watch(String service, String account, java.util.function.Consumer<CredentialEvent> listener) {
        CredentialId.requireNames(service, account);
        java.util.Objects.requireNonNull(listener, "listener");
        throw new UnsupportedOperationException("the " + id() + " store cannot watch credentials (its capabilities say not watchable);"
                + " read the credential when it is needed, or use a watchable backend (docs/watch.md lists them)");
    }

    /**
     * This store as {@code type}, for backend-specific operations (e.g. the encrypted file's
     * {@code rotate()}), looking through the wrappers and chains {@link Keyring} builds; empty when
     * it is not one.
     */
    default <T> Optional<T> unwrap(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /** Releases connections and handles. Idempotent; no exception. */
    @Override
    void close();
}
