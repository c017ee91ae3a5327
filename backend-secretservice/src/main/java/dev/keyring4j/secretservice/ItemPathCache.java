package dev.keyring4j.secretservice;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Item paths by id for one connection: the item a get found (or a set left) last time, so the next
 * get sends its GetSecret together with the SearchItems that checks it (one round trip instead of
 * two); and the item keyring4j's set wrote, so the next set sends its SetSecret with that search.
 *
 * <p>A path here is only a hint, never an answer: every use is checked by a search sent with it, so
 * a duplicate another tool created or a deletion is seen at once. The collection's item signals are
 * not relied on: dbus-java hands signals to another thread than replies, so a signal the provider
 * sent before a reply may be handled after it.
 */
final class ItemPathCache {
    private final Map<List<String>, String> paths = new ConcurrentHashMap<>();
    /** The item keyring4j's own set wrote last per id (its attributes are keyring4j's), for the next set of that id. */
    private final Map<List<String>, String> written = new ConcurrentHashMap<>();

    /** The item found last time for the id, or null. */
    String get(String service, String account) {
        return paths.get(List.of(service, account));
    }

    void remember(String service, String account, String item) {
        paths.put(List.of(service, account), item);
    }

    /** Forgets both hints of the id. */
    void forget(String service, String account) {
        paths.remove(List.of(service, account));
        written.remove(List.of(service, account));
    }

    /** The item set wrote last for the id, or null; a hint like the others. */
    String written(String service, String account) {
        return written.get(List.of(service, account));
    }

    /** Remembers the one item a set left for the id, for the next get and the next set. */
    void rememberWritten(String service, String account, String item) {
        paths.put(List.of(service, account), item);
        written.put(List.of(service, account), item);
    }

    /** Forgets the id only if it still maps to {@code item}. */
    void forget(String service, String account, String item) {
        paths.remove(List.of(service, account), item);
    }
}
