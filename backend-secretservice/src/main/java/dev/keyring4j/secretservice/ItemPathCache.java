package dev.keyring4j.secretservice;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Item paths by id for one connection, so a repeated get is one call instead of two.
 *
 * <p>Guarantees: the cache is used only once {@link #watch} has subscribed to the collection's
 * ItemCreated/ItemDeleted/ItemChanged signals from the provider's unique name; each such signal
 * clears it and bumps {@link #generation()}, so a duplicate another tool creates is seen. A path
 * looked up before a signal is never remembered after it ({@link #remember}).
 */
final class ItemPathCache {
    private final Map<List<String>, String> paths = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean enabled;

    /** Subscribes to the collection's item signals from {@code owner}; if that fails the cache stays off and every get searches. */
    void watch(SecretServiceClient client, String owner, String collection) {
        try {
            client.onItemsChanged(owner, collection, this::invalidate);
            enabled = true;
        } catch (BusCallException e) {
            // no subscription, no cache
        }
    }

    /** How many collection signals this cache has believed. */
    long generation() {
        return generation.get();
    }

    /** The cached path, or null (always null while the cache is off). */
    String get(String service, String account) {
        return enabled ? paths.get(List.of(service, account)) : null;
    }

    /** Remembers {@code item} for the id unless a signal arrived since {@code seenGeneration} was read. */
    void remember(String service, String account, String item, long seenGeneration) {
        if (!enabled || generation.get() != seenGeneration) return;
        List<String> key = List.of(service, account);
        paths.put(key, item);
        // a change signal handled between the check and the put: do not keep what it meant to clear
        if (generation.get() != seenGeneration) paths.remove(key, item);
    }

    void forget(String service, String account) {
        paths.remove(List.of(service, account));
    }

    /** Forgets the id only if it still maps to {@code item}. */
    void forget(String service, String account, String item) {
        paths.remove(List.of(service, account), item);
    }

    private void invalidate() {
        generation.incrementAndGet();
        paths.clear();
    }
}
