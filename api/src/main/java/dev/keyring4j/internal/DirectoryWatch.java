package dev.keyring4j.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Directory watches for every store in the JVM on one {@link WatchService} (one inotify instance
 * on Linux, the JDK's own poller thread and one thread here that takes its keys), created with the
 * first watch and closed with the last, so that no watch leaves a thread or a file descriptor
 * behind. Not API.
 *
 * <p>A watch is told about any entry of its directory created, deleted or modified whose name
 * passes its filter, and about an overflow of the kernel's queue (when events were lost). It
 * runs on the watch thread and must be quick: {@link CredentialWatcher#changed()} is.
 */
public final class DirectoryWatch {
    private static final System.Logger LOG = System.getLogger("dev.keyring4j.watch");
    private static final Object LOCK = new Object();
    private static WatchService service; // guarded by LOCK
    private static final Map<Path, Dir> DIRS = new HashMap<>(); // guarded by LOCK
    private static final Map<WatchKey, Dir> KEYS = new HashMap<>(); // guarded by LOCK

    private DirectoryWatch() {
    }

    private static final class Dir {
        final WatchKey key;
        final List<Registration> registrations = new CopyOnWriteArrayList<>();

        Dir(WatchKey key) {
            this.key = key;
        }
    }

    private record Registration(Path dir, Predicate<Path> names, Runnable onChange) {
    }

    /**
     * Calls {@code onChange} when an entry of {@code dir} whose name (relative to {@code dir})
     * passes {@code names} is created, deleted, renamed over or modified, or when events were lost.
     *
     * @return the handle that stops this watch (idempotent)
     * @throws IOException when the directory cannot be watched (absent, not a directory, no inotify watches left)
     */
    public static AutoCloseable watch(Path dir, Predicate<Path> names, Runnable onChange) throws IOException {
        Path key = dir.toAbsolutePath().normalize();
        Registration r = new Registration(key, names, onChange);
        synchronized (LOCK) {
            if (service == null) start();
            Dir d = DIRS.get(key);
            if (d == null) {
                WatchKey k;
                try {
                    k = key.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                            StandardWatchEventKinds.ENTRY_MODIFY);
                } catch (IOException | RuntimeException e) {
                    stopIfUnused();
                    throw e;
                }
                d = new Dir(k);
                DIRS.put(key, d);
                KEYS.put(k, d);
            }
            d.registrations.add(r);
        }
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) unregister(r);
        };
    }

    /** How many directories are watched now (for tests that check nothing is left). */
    public static int watchedDirectories() {
        synchronized (LOCK) {
            return DIRS.size();
        }
    }

    private static void unregister(Registration r) {
        synchronized (LOCK) {
            Dir d = DIRS.get(r.dir());
            if (d == null) return;
            d.registrations.remove(r);
            if (d.registrations.isEmpty()) {
                d.key.cancel();
                DIRS.remove(r.dir());
                KEYS.remove(d.key);
            }
            stopIfUnused();
        }
    }

    private static void stopIfUnused() {
        if (!DIRS.isEmpty() || service == null) return;
        try {
            service.close(); // the taking thread sees ClosedWatchServiceException and ends
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the directory watch service failed: " + e);
        }
        service = null;
    }

    private static void start() throws IOException {
        WatchService s = FileSystems.getDefault().newWatchService();
        service = s;
        Thread t = new Thread(() -> take(s), "keyring4j-watch-files");
        t.setDaemon(true);
        t.start();
    }

    private static void take(WatchService s) {
        while (true) {
            WatchKey k;
            try {
                k = s.take();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            }
            Dir d;
            synchronized (LOCK) {
                d = KEYS.get(k);
            }
            List<WatchEvent<?>> events = k.pollEvents();
            k.reset();
            if (d == null) continue;
            for (Registration r : d.registrations) {
                boolean hit = false;
                for (WatchEvent<?> e : events) {
                    if (e.kind() == StandardWatchEventKinds.OVERFLOW || (e.context() instanceof Path p && r.names().test(p))) {
                        hit = true;
                        break;
                    }
                }
                if (hit) {
                    try {
                        r.onChange().run();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "a directory watch callback threw " + e.getClass().getName() + "; ignored");
                    }
                }
            }
        }
    }
}
