package dev.keyring4j.internal;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every watch in the JVM shares, whatever the number of stores and subscriptions:
 * one timer thread (polls, debounce delays) and a small pool of delivery workers (re-reads and
 * listeners). All are daemon threads that end after a few idle seconds, so a JVM with no open
 * subscription has none of them.
 *
 * <p>A listener that blocks holds one worker. A guard on the timer watches for a queue that makes
 * no progress while every worker is busy and then adds a worker (up to {@link #MAX_WORKERS}), so
 * that one slow listener delays the others by at most about a second and never stops them.
 */
final class WatchDispatch {
    static final int BASE_WORKERS = 2;
    static final int MAX_WORKERS = 64;
    private static final long IDLE_SECONDS = 3;
    private static final long GUARD_MILLIS = 500;

    private static final ThreadPoolExecutor WORKERS = new ThreadPoolExecutor(BASE_WORKERS, BASE_WORKERS, IDLE_SECONDS, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), daemons("keyring4j-watch-dispatch-"));
    private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, daemons("keyring4j-watch-timer-"));
    private static final AtomicBoolean GUARD_PENDING = new AtomicBoolean();
    private static volatile long completedAtLastGuard = -1;

    static {
        WORKERS.allowCoreThreadTimeOut(true);
        TIMER.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
        TIMER.allowCoreThreadTimeOut(true);
        TIMER.setRemoveOnCancelPolicy(true); // a cancelled poll leaves nothing that keeps the timer thread alive
        TIMER.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    private WatchDispatch() {
    }

    static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Runs {@code task} on a delivery worker. */
    static void execute(Runnable task) {
        WORKERS.execute(task);
        if (GUARD_PENDING.compareAndSet(false, true)) TIMER.schedule(WatchDispatch::guard, GUARD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on a delivery worker after {@code delay}. */
    static ScheduledFuture<?> later(Runnable task, Duration delay) {
        return TIMER.schedule(() -> execute(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs {@code task} on a delivery worker every {@code interval} (never two at once); close the handle to stop. */
    static AutoCloseable every(Duration interval, Runnable task) {
        AtomicBoolean running = new AtomicBoolean();
        Runnable once = () -> {
            try {
                task.run();
            } finally {
                running.set(false);
            }
        };
        ScheduledFuture<?> f = TIMER.scheduleWithFixedDelay(() -> {
            if (running.compareAndSet(false, true)) execute(once);
        }, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    /** Adds a worker while the queue is stuck behind busy workers; returns to the base size once it drains. */
    private static void guard() {
        GUARD_PENDING.set(false);
        long completed = WORKERS.getCompletedTaskCount();
        boolean queued = !WORKERS.getQueue().isEmpty();
        int size = WORKERS.getCorePoolSize();
        if (queued && completed == completedAtLastGuard && WORKERS.getActiveCount() >= size && size < MAX_WORKERS) {
            WORKERS.setMaximumPoolSize(size + 1);
            WORKERS.setCorePoolSize(size + 1);
        } else if (!queued && size > BASE_WORKERS) {
            WORKERS.setCorePoolSize(BASE_WORKERS);
            WORKERS.setMaximumPoolSize(BASE_WORKERS);
        }
        completedAtLastGuard = completed;
        if ((queued || WORKERS.getCorePoolSize() > BASE_WORKERS) && GUARD_PENDING.compareAndSet(false, true)) {
            TIMER.schedule(WatchDispatch::guard, GUARD_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
