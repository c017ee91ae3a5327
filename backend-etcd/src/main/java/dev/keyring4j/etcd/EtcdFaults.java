package dev.keyring4j.etcd;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.KeyringException;
import dev.keyring4j.QuotaExceededException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every call to etcd goes through {@link #await}: bounded by {@code etcd.timeout}, and every failure
 * turned into the keyring4j exception that says what happened at which endpoints and what to do.
 * A failure is never "absent".
 */
final class EtcdFaults {
    private final String endpoints;
    private final String prefix;
    private final Duration timeout;

    EtcdFaults(String endpoints, String prefix, Duration timeout) {
        this.endpoints = endpoints;
        this.prefix = prefix;
        this.timeout = timeout;
    }

    <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new BackendUnavailableException("etcd at " + endpoints + " did not answer " + what + " within " + timeout
                    + " (etcd.timeout): the cluster has no quorum (a majority of its members is down) or no member is reachable."
                    + " Check with: etcdctl --endpoints=" + endpoints + " endpoint health; nothing was " + (what.startsWith("read") ? "read" : "changed")
                    + " as far as this client knows", e);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new KeyringException("interrupted while waiting for etcd at " + endpoints + " (" + what + ")", e);
        } catch (ExecutionException | CancellationException e) {
            throw translate(e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e, what);
        }
    }

    KeyringException translate(Throwable t, String what) {
        String m = describe(t);
        String low = m.toLowerCase(Locale.ROOT);
        if (low.contains("database space exceeded")) {
            return new QuotaExceededException("etcd at " + endpoints + " refused " + what + ": mvcc: database space exceeded (the cluster's"
                    + " --quota-backend-bytes is full). Compact and defragment it (etcdctl compact, etcdctl defrag, etcdctl alarm disarm)"
                    + " or raise the quota", t);
        }
        if (low.contains("permission denied")) {
            return new AccessDeniedException("etcd at " + endpoints + " refused " + what + " under " + prefix + ": permission denied"
                    + " (etcd RBAC). Grant the user's role readwrite on the prefix: etcdctl role grant-permission <role> --prefix=true readwrite "
                    + prefix, t);
        }
        if (low.contains("authentication failed") || low.contains("invalid user id or password") || low.contains("user name is empty")
                || low.contains("unauthenticated") || low.contains("invalid auth token") || low.contains("user name not found")) {
            return new AccessDeniedException("etcd at " + endpoints + " refused " + what + ": authentication failed (" + firstLine(m)
                    + "). Check etcd.user and its password (etcd.password-file or etcd.password-store)", t);
        }
        if (low.contains("auth") && low.contains("not enabled")) {
            return new AccessDeniedException("etcd at " + endpoints + " refused " + what + ": " + firstLine(m)
                    + "; remove etcd.user or enable authentication on the cluster", t);
        }
        if (low.contains("no leader") || low.contains("request timed out") || low.contains("unavailable") || low.contains("connection refused")
                || low.contains("deadline") || low.contains("io exception") || low.contains("channel closed") || low.contains("connect")) {
            return new BackendUnavailableException("etcd at " + endpoints + " cannot serve " + what + ": " + firstLine(m)
                    + ". The cluster has no quorum or the members are unreachable; check with: etcdctl --endpoints=" + endpoints
                    + " endpoint health", t);
        }
        return new KeyringException("etcd at " + endpoints + " failed " + what + ": " + firstLine(m), t);
    }

    private static String describe(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null && b.length() < 2000; c = c.getCause()) {
            if (c.getMessage() != null) b.append(c.getMessage()).append(" | ");
            b.append(c.getClass().getSimpleName()).append(" | ");
        }
        return b.toString();
    }

    private static String firstLine(String m) {
        String s = m.split(" \\| ")[0];
        return s.length() > 300 ? s.substring(0, 300) : s;
    }
}
