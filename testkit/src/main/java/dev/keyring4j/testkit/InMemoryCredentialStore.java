package dev.keyring4j.testkit;

import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialEvent;
import dev.keyring4j.Subscription;
import dev.keyring4j.internal.CredentialWatcher;
import java.util.function.Consumer;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.ReadOnlyStoreException;
import dev.keyring4j.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A store in a map, for tests of code that takes a {@link CredentialStore} (chains, applications).
 * It lives in the testkit only and is never discovered: a silent non-persistent store in
 * production is the bug keyring4j exists to prevent. Capabilities are whatever the test says.
 */
public final class InMemoryCredentialStore implements CredentialStore {
    private record Entry(byte[] secret, Instant expires) {
    }

    private final String id;
    private final Capabilities capabilities;
    private final Map<CredentialId, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;
    private final CredentialWatcher watcher;

    public InMemoryCredentialStore(String id, Capabilities capabilities) {
        this(id, capabilities, Clock.systemUTC());
    }

    public InMemoryCredentialStore(String id, Capabilities capabilities, Clock clock) {
        this.id = Objects.requireNonNull(id);
        this.capabilities = Objects.requireNonNull(capabilities);
        this.clock = clock;
        // when watchable, every write through this object is seen (an expiry is not noticed until the next write)
        this.watcher = new CredentialWatcher(id, CredentialWatcher.secretsOf(this), CredentialWatcher.none());
    }

    /** Writable, persistent, listable, watchable, with expiry: the most capable store. */
    public static InMemoryCredentialStore persistent(String id) {
        return new InMemoryCredentialStore(id, Capabilities.of(Capabilities.Flag.values()));
    }

    /** Writable with expiry but not persistent (like the kernel keyring). */
    public static InMemoryCredentialStore volatileWithExpiry(String id) {
        return new InMemoryCredentialStore(id, Capabilities.of(Capabilities.Flag.WRITABLE, Capabilities.Flag.EXPIRY, Capabilities.Flag.LISTABLE));
    }

    /** Read-only (like environment variables); fill it with {@link #put}. */
    public static InMemoryCredentialStore readOnly(String id) {
        return new InMemoryCredentialStore(id, Capabilities.of(Capabilities.Flag.LISTABLE));
    }

    /** Puts a credential regardless of writability: how a test provisions a read-only store. */
    public InMemoryCredentialStore put(String service, String account, Secret secret) {
        CredentialId key = new CredentialId(service, account);
        entries.put(key, new Entry(secret.asBytes(), null));
        watcher.changed(key);
        return this;
    }

    /** Removes a credential regardless of writability: how a test changes a read-only store. */
    public InMemoryCredentialStore remove(String service, String account) {
        CredentialId key = new CredentialId(service, account);
        entries.remove(key);
        watcher.changed(key);
        return this;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public Optional<Secret> get(String service, String account) {
        CredentialId key = new CredentialId(service, account);
        Entry e = entries.get(key);
        if (e == null) return Optional.empty();
        if (e.expires() != null && !clock.instant().isBefore(e.expires())) {
            entries.remove(key, e);
            return Optional.empty();
        }
        return Optional.of(Secret.of(e.secret()));
    }

    @Override
    public void set(String service, String account, Secret secret) {
        write(service, account, secret, null);
    }

    @Override
    public void set(String service, String account, Secret secret, Duration ttl) {
        if (!capabilities.expiry()) {
            CredentialStore.super.set(service, account, secret, ttl);
        }
        write(service, account, secret, clock.instant().plus(ttl));
    }

    private void write(String service, String account, Secret secret, Instant expires) {
        CredentialId key = new CredentialId(service, account);
        Objects.requireNonNull(secret, "secret");
        requireWritable();
        entries.put(key, new Entry(secret.asBytes(), expires));
        watcher.changed(key);
    }

    @Override
    public boolean delete(String service, String account) {
        CredentialId key = new CredentialId(service, account);
        requireWritable();
        boolean removed = entries.remove(key) != null;
        watcher.changed(key);
        return removed;
    }

    /** Watches writes made through this object, when the capabilities say watchable. */
    @Override
    public Subscription watch(String service, String account, Consumer<CredentialEvent> listener) {
        if (!capabilities.watchable()) return CredentialStore.super.watch(service, account, listener);
        return watcher.watch(service, account, listener);
    }

    private void requireWritable() {
        if (!capabilities.writable()) {
            throw new ReadOnlyStoreException("the in-memory test store '" + id + "' is read-only");
        }
    }

    @Override
    public List<CredentialId> list(String service) {
        CredentialId.requireService(service);
        List<CredentialId> out = new ArrayList<>();
        for (CredentialId k : entries.keySet()) {
            if (k.service().equals(service) && get(k.service(), k.account()).isPresent()) out.add(k);
        }
        return out;
    }

    @Override
    public List<CredentialId> list() {
        List<CredentialId> out = new ArrayList<>();
        for (CredentialId k : entries.keySet()) {
            if (get(k.service(), k.account()).isPresent()) out.add(k);
        }
        return out;
    }

    @Override
    public void close() {
        watcher.close();
    }

    @Override
    public String toString() {
        return "InMemoryCredentialStore[" + id + ", " + entries.size() + " entries]";
    }
}
