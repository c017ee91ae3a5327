package dev.keyring4j;

import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The current value of one credential, for code that just wants "the password now" (a connection
 * pool's credentials provider, an HTTP client's authenticator). Made by {@link Keyring#current}.
 *
 * <p>On a {@link Capabilities#watchable() watchable} store the value is cached and refreshed when
 * the store reports a change or a {@code RESYNC}, off the caller's thread, so {@link #get()} costs
 * no store access; if a refresh fails, the next {@link #get()} reads the store itself. On a store
 * that cannot watch, every {@link #get()} reads the store. Each call returns a fresh copy, which
 * the caller may destroy. Thread-safe. {@link #close()} stops watching and wipes the cached copy;
 * it does not close the store.
 */
public final class CurrentSecret implements Supplier<Secret>, AutoCloseable {
    private final CredentialStore store;
    private final CredentialId id;
    private final Subscription subscription;
    private final Object lock = new Object();
    private Secret cached; // guarded by lock; null when absent
    private boolean stale = true; // guarded by lock
    private boolean closed; // guarded by lock
    private long generation; // guarded by lock: counts events, so that a read that raced one is not cached

    CurrentSecret(CredentialStore store, String service, String account) {
        this.store = Objects.requireNonNull(store, "store");
        this.id = new CredentialId(service, account);
        // subscribed before the first read, so that no change between the two is missed
        this.subscription = store.capabilities().watchable() ? store.watch(service, account, e -> changed()) : null;
        if (subscription != null) refresh();
    }

    /** Whether the value is kept current by a watch (else every read goes to the store). */
    public boolean watching() {
        return subscription != null;
    }

    /** The credential's name. */
    public CredentialId id() {
        return id;
    }

    /**
     * The current secret (a copy).
     *
     * @throws NoSuchElementException when the store holds no such credential now
     * @throws KeyringException when the store cannot be read
     */
    @Override
    public Secret get() {
        return find().orElseThrow(() -> new NoSuchElementException("no credential " + id.service() + "/" + id.account()
                + " in the " + store.id() + " store; store it (keyring4j set " + id.service() + " " + id.account() + ")"));
    }

    /** The current secret (a copy), or empty when the store holds none now. */
    public Optional<Secret> find() {
        long seen;
        synchronized (lock) {
            if (closed) throw new IllegalStateException("this CurrentSecret is closed");
            if (subscription != null && !stale) return Optional.ofNullable(cached).map(CurrentSecret::copy);
            seen = generation;
        }
        Optional<Secret> read = store.get(id.service(), id.account());
        try {
            if (subscription != null) remember(read, seen);
            return read.map(CurrentSecret::copy);
        } finally {
            read.ifPresent(Secret::destroy);
        }
    }

    /** An event: what is cached may be old from now on; read again. */
    private void changed() {
        synchronized (lock) {
            generation++;
            stale = true;
        }
        refresh();
    }

    private void refresh() {
        long seen;
        synchronized (lock) {
            seen = generation;
        }
        try {
            Optional<Secret> read = store.get(id.service(), id.account());
            try {
                remember(read, seen);
            } finally {
                read.ifPresent(Secret::destroy);
            }
        } catch (RuntimeException e) {
            synchronized (lock) {
                stale = true; // the next get reads, and reports the failure to its caller
            }
        }
    }

    /** Caches what a read begun at {@code seen} found, unless an event came since (a later read then decides). */
    private void remember(Optional<Secret> value, long seen) {
        Secret copy = value.map(CurrentSecret::copy).orElse(null);
        synchronized (lock) {
            if (closed || generation != seen) {
                if (copy != null) copy.destroy();
                return;
            }
            if (cached != null) cached.destroy();
            cached = copy;
            stale = false;
        }
    }

    /** A copy of {@code s}; the intermediate array is wiped. */
    private static Secret copy(Secret s) {
        byte[] b = s.asBytes();
        try {
            return Secret.of(b);
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    /** Stops watching and wipes the cached copy. Idempotent. */
    @Override
    public void close() {
        if (subscription != null) subscription.close();
        synchronized (lock) {
            closed = true;
            if (cached != null) cached.destroy();
            cached = null;
        }
    }

    @Override
    public String toString() {
        return "CurrentSecret[" + store.id() + ", " + (watching() ? "watched" : "read on each get") + "]";
    }
}
