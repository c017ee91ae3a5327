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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The one etcd watch of a store, on its entry prefix, running while the store has a subscription.
 * It starts at the revision after the one the store last read, and keeps its own count of the
 * first revision it has not received: raised by every event (its mod revision) and by etcd's
 * progress notifications (their header revision, which etcd sends only when every earlier event has
 * been delivered). A stream that fails for any reason (its member killed, no leader, a cancel) is
 * closed and started again within a second from that revision, so no change is skipped while it is
 * down: the changes made meanwhile are replayed. Only when etcd has compacted those revisions away
 * does the restart begin at the oldest revision etcd still has, and every subscription gets
 * {@code RESYNC}. Each event names a key path; {@code watchedPath} maps it to the watched credential
 * it belongs to (paths are keyed hashes of the names, so nothing else could), and only that
 * credential is re-read.
 *
 * <p>jetcd calls the listener while holding its own lock, so this class never calls jetcd while
 * holding its own: the lock guards the fields only.
 */
final class EntryWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EntryWatch.class.getName());
    /** How soon a watch stream that ended is started again. */
    static final Duration CHECK = Duration.ofSeconds(1);

    private final Client client;
    private final ByteSequence prefix;
    private final CredentialWatcher watcher;
    private final Function<String, CredentialId> watchedPath;
    private final AutoCloseable check;
    private long next; // the first revision not yet received; guarded by this
    private boolean resync; // etcd compacted revisions not yet received: RESYNC after the restart; guarded by this
    private Stream current; // the stream in use, null while down; guarded by this
    private boolean closed; // guarded by this

    /** One jetcd watcher; its callbacks know which stream they belong to. */
    private static final class Stream {
        volatile Watch.Watcher watcher; // null until watch() returned
    }

    /** Starts watching from {@code revision + 1}, {@code revision} being one the store has read at. */
    EntryWatch(Client client, String entryPrefix, long revision, CredentialWatcher watcher, Function<String, CredentialId> watchedPath) {
        this.client = client;
        this.prefix = ByteSequence.from(entryPrefix, StandardCharsets.UTF_8);
        this.watcher = watcher;
        this.watchedPath = watchedPath;
        synchronized (this) {
            next = revision + 1;
        }
        start();
        this.check = CredentialWatcher.every(CHECK, this::check);
    }

    /** Opens a stream from the next revision unless one is in use or the watch is closed; true if it is now the one in use. */
    private boolean start() {
        Stream s = new Stream();
        long from;
        synchronized (this) {
            if (closed || current != null) return false;
            current = s; // reserved first: its callbacks may come before watch() returns
            from = next;
        }
        Watch.Watcher w;
        try {
            WatchOption o = WatchOption.builder().isPrefix(true).withRevision(from).withProgressNotify(true).build();
            w = client.getWatchClient().watch(prefix, o, Watch.listener(r -> received(r), t -> failed(s, t), () -> ended(s)));
        } catch (RuntimeException e) {
            ended(s);
            throw e;
        }
        s.watcher = w;
        boolean inUse;
        synchronized (this) {
            inUse = current == s;
        }
        if (!inUse) CredentialWatcher.stop(w, EtcdProvider.ID); // it failed, or the watch was closed, meanwhile
        return inUse;
    }

    private void received(WatchResponse r) {
        List<CredentialId> ids = new ArrayList<>();
        long last = 0;
        for (WatchEvent e : r.getEvents()) {
            last = Math.max(last, e.getKeyValue().getModRevision());
            CredentialId id = watchedPath.apply(e.getKeyValue().getKey().toString(StandardCharsets.UTF_8));
            if (id != null) ids.add(id);
        }
        synchronized (this) {
            if (last > 0) next = Math.max(next, last + 1);
            else if (r.isProgressNotify()) next = Math.max(next, r.getHeader().getRevision() + 1);
        }
        ids.forEach(watcher::changed);
    }

    /** jetcd reports an error: this stream is closed here and started again by the next check, from the next revision. */
    private void failed(Stream s, Throwable t) {
        if (t instanceof CompactedException c) {
            synchronized (this) {
                resync = true;
                next = Math.max(next, c.getCompactedRevision());
            }
        }
        LOG.log(System.Logger.Level.DEBUG, "etcd: the watch stream failed (" + t.getClass().getName() + "); starting it again within " + CHECK);
        ended(s);
        CredentialWatcher.stop(s.watcher, EtcdProvider.ID); // null while start() is still in watch(): start() closes it then
    }

    /** The stream ended (closed by jetcd, by {@link #failed}, or never opened): no longer the one in use. */
    private void ended(Stream s) {
        synchronized (this) {
            if (current == s) current = null;
        }
    }

    /** Every second: a stream that ended starts again; after a compaction, every subscription is told RESYNC. */
    private void check() {
        synchronized (this) {
            if (closed || current != null) return;
        }
        try {
            if (!start()) return;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "etcd: the watch could not start again yet: " + e.getClass().getName());
            return;
        }
        boolean missed;
        synchronized (this) {
            missed = resync;
            resync = false;
        }
        if (missed) watcher.resync();
    }

    @Override
    public void close() {
        Stream s;
        synchronized (this) {
            closed = true;
            s = current;
            current = null;
        }
        CredentialWatcher.stop(check, EtcdProvider.ID);
        if (s != null) CredentialWatcher.stop(s.watcher, EtcdProvider.ID);
    }
}
