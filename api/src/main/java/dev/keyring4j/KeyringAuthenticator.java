package dev.keyring4j;

import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link java.net.Authenticator} that answers server and proxy authentication requests from a
 * credential store, for {@code Authenticator.setDefault(…)} and {@code HttpClient.newBuilder().authenticator(…)}.
 *
 * <p>The service is {@code <scheme>://<host>[:<port>]} of the server (or, for a proxy request, of
 * the proxy), the port omitted when it is the scheme's default (80 for http, 443 for https). The
 * account is the user named in the request URL ({@code https://alice@host/}, server requests only), else the configured
 * default account, else any one account the store holds for the service ({@link CredentialStore#find}).
 * With nothing stored the authenticator answers {@code null}, and the request fails with its
 * 401/407 as it would without an authenticator.
 *
 * <p>Answers are cached in memory for a short time (default 30 seconds) so that a burst of
 * requests to one server does not hit the backend for each; the cache holds copies that are wiped
 * when they expire or on {@link #clearCache()}.
 */
public final class KeyringAuthenticator extends Authenticator {
    private final CredentialStore store;
    private final String defaultAccount;
    private final Duration cacheLifetime;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(String user, char[] password, Instant expires) {
    }

    private KeyringAuthenticator(Builder b) {
        this.store = b.store;
        this.defaultAccount = b.defaultAccount;
        this.cacheLifetime = b.cacheLifetime;
        this.clock = b.clock;
    }

    /** An authenticator over {@code store} with no default account and the default cache lifetime. */
    public static KeyringAuthenticator of(CredentialStore store) {
        return builder(store).build();
    }

    /** A builder over {@code store}. */
    public static Builder builder(CredentialStore store) {
        return new Builder(store);
    }

    @Override
    protected PasswordAuthentication getPasswordAuthentication() {
        String service = serviceOf(getRequestingProtocol(), getRequestingHost(), getRequestingPort());
        if (service == null) return null;
        // the request URL names the target server, so its user is no account for the proxy
        String account = accountOf(getRequestorType() == RequestorType.SERVER ? getRequestingURL() : null);
        String key = getRequestorType() + " " + service + " " + (account == null ? "" : account);
        Instant now = clock.instant();
        Cached hit = cache.get(key);
        if (hit != null && now.isBefore(hit.expires())) {
            return new PasswordAuthentication(hit.user(), hit.password().clone());
        }
        if (hit != null && cache.remove(key, hit)) Arrays.fill(hit.password(), '\0');
        Optional<Credential> found = account != null
                ? store.get(service, account).map(s -> new Credential(service, account, s))
                : store.find(service);
        if (found.isEmpty()) return null;
        char[] password;
        try (Secret s = found.get().secret()) {
            password = s.asChars();
        }
        if (!cacheLifetime.isZero()) {
            Cached old = cache.put(key, new Cached(found.get().account(), password.clone(), now.plus(cacheLifetime)));
            if (old != null) Arrays.fill(old.password(), '\0');
        }
        return new PasswordAuthentication(found.get().account(), password);
    }

    /** Forgets every cached answer and wipes the cached copies. */
    public void clearCache() {
        cache.values().forEach(c -> Arrays.fill(c.password(), '\0'));
        cache.clear();
    }

    private String accountOf(URL url) {
        if (url != null && url.getUserInfo() != null && !url.getUserInfo().isEmpty()) {
            String user = url.getUserInfo();
            int colon = user.indexOf(':');
            return colon >= 0 ? user.substring(0, colon) : user;
        }
        return defaultAccount;
    }

    /** {@code <scheme>://<host>[:<port>]}, the port omitted when it is the scheme's default; null without a host. */
    static String serviceOf(String scheme, String host, int port) {
        if (host == null || host.isEmpty()) return null;
        String s = scheme == null || scheme.isEmpty() ? "http" : scheme.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (h.indexOf(':') >= 0 && !h.startsWith("[")) h = "[" + h + "]"; // IPv6 literal
        boolean defaultPort = port <= 0 || (s.equals("http") && port == 80) || (s.equals("https") && port == 443);
        return s + "://" + h + (defaultPort ? "" : ":" + port);
    }

    @Override
    public String toString() {
        return "KeyringAuthenticator[" + store.id() + "]";
    }

    /** Builds a {@link KeyringAuthenticator}. */
    public static final class Builder {
        private final CredentialStore store;
        private String defaultAccount;
        private Duration cacheLifetime = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();

        private Builder(CredentialStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The account to use when the request URL names no user. */
        public Builder defaultAccount(String account) {
            if (account != null && account.isEmpty()) throw new IllegalArgumentException("the default account must not be empty");
            this.defaultAccount = account;
            return this;
        }

        /** How long an answer is reused without asking the store again (default 30 s; zero disables caching). */
        public Builder cacheLifetime(Duration lifetime) {
            if (lifetime.isNegative()) throw new IllegalArgumentException("the cache lifetime must not be negative");
            this.cacheLifetime = lifetime;
            return this;
        }

        /** The clock the cache uses (for tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public KeyringAuthenticator build() {
            return new KeyringAuthenticator(this);
        }
    }
}
