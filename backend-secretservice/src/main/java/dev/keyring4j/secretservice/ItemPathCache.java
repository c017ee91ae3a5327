package dev.keyring4j.secretservice;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Item paths by id for one connection: the item a get found last time, so the next get sends its
 * GetSecret together with the SearchItems that checks it (one round trip instead of two).
 *
 * <p>A path here is only a hint, never an answer: every use is checked by a search sent with it, so
 * a duplicate another tool created or a deletion is seen at once. The collection's item signals are
 * not relied on: dbus-java hands signals to another thread than replies, so a signal the provider
 * sent before a reply may be handled after it.
 */
final class ItemPathCache {
    private final Map<List<String>, String> paths = new ConcurrentHashMap<>();

    /** The item found last time for the id, or null. */
    String get(String service, String account) {
        return paths.get(List.of(service, account));
    }

    void remember(String service, String account, String item) {
        paths.put(List.of(service, account), item);
    }

    void forget(String service, String account) {
        paths.remove(List.of(service, account));
    }

    /** Forgets the id only if it still maps to {@code item}. */
    void forget(String service, String account, String item) {
        paths.remove(List.of(service, account), item);
    }
}
