package dev.keyring4j.etcd;

import dev.keyring4j.CredentialId;
import dev.keyring4j.internal.CredentialWatcher;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

/**
 * The one etcd watch of a store, on its entry prefix, running while the store has a subscription.
 * It starts at the revision after the one the store last saw and every restart resumes from the
 * revision after the last event received, so no change is skipped while the stream is down (a
 * killed member, no quorum): the events are replayed when it is back. Only when etcd has compacted
 * those revisions away does the watch start again from now and send {@code RESYNC}. Each event names
 * a key path; {@code watchedPath} maps it to the watched credential it belongs to (paths are keyed
 * hashes of the names, so nothing else could), and only that credential is re-read.
 */
final class EntryWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EntryWatch.class.getName());
    /** How soon a watch stream that ended with an error is started again. */
    static final Duration CHECK = Duration.ofSeconds(1);

    private final Client client;
    private final ByteSequence prefix;
    private final CredentialWatcher watcher;
    private final Function<String, CredentialId> watchedPath;
    private final AutoCloseable check;
    private long next; // the first revision not yet received; guarded by this
    private boolean lost; // revisions were compacted away before they were received; guarded by this
    private Watch.Watcher stream; // null while down; guarded by this
    private boolean closed; // guarded by this

    /** Starts watching from {@code revision + 1}, {@code revision} being one the store has read at. */
    EntryWatch(Client client, String entryPrefix, long revision, CredentialWatcher watcher, Function<String, CredentialId> watchedPath) {
        this.client = client;
        this.prefix = ByteSequence.from(entryPrefix, StandardCharsets.UTF_8);
        this.watcher = watcher;
        this.watchedPath = watchedPath;
        synchronized (this) {
            next = revision + 1;
            start();
        }
        this.check = CredentialWatcher.every(CHECK, this::check);
    }

    private synchronized void start() {
        WatchOption o = WatchOption.builder().isPrefix(true).withRevision(next).build();
        // the callbacks may run before watch() returns: they take the lock, held here until self[0] is set
        Watch.Watcher[] self = new Watch.Watcher[1];
        self[0] = client.getWatchClient().watch(prefix, o, Watch.listener(this::received, t -> ended(self, t), () -> ended(self, null)));
        stream = self[0];
    }

    private void received(WatchResponse r) {
        for (WatchEvent e : r.getEvents()) {
            synchronized (this) {
                next = Math.max(next, e.getKeyValue().getModRevision() + 1);
            }
            CredentialId id = watchedPath.apply(e.getKeyValue().getKey().toString(StandardCharsets.UTF_8));
            if (id != null) watcher.changed(id);
        }
    }

    /** The stream ended: jetcd resumes by itself after a dropped connection, so this is what it gave up on (or a cancel by the server). */
    private void ended(Watch.Watcher[] self, Throwable t) {
        Watch.Watcher which;
        synchronized (this) {
            which = self[0];
            if (stream != which) return;
            stream = null;
            if (t instanceof CompactedException) lost = true;
        }
        CredentialWatcher.stop(which, EtcdProvider.ID);
        LOG.log(System.Logger.Level.DEBUG, "etcd: the watch stream ended (" + (t == null ? "completed" : t.getClass().getName())
                + "); starting it again within " + CHECK);
    }

    /** Every second: a stream that ended starts again, from the next revision, or from now with RESYNC if those were compacted. */
    private void check() {
        boolean resync;
        synchronized (this) {
            if (closed || stream != null) return;
            resync = lost;
            if (lost) {
                next = 0; // now: the missed revisions are gone
                lost = false;
            }
            try {
                start();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "etcd: the watch could not start again yet: " + e.getClass().getName());
                lost = resync;
                return;
            }
        }
        if (resync) watcher.resync();
    }

    @Override
    public void close() {
        Watch.Watcher s;
        synchronized (this) {
            closed = true;
            s = stream;
            stream = null;
        }
        CredentialWatcher.stop(check, EtcdProvider.ID);
        CredentialWatcher.stop(s, EtcdProvider.ID);
    }
}
