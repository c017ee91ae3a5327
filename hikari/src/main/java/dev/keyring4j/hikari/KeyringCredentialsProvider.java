package dev.keyring4j.hikari;

import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import dev.keyring4j.ConfigurationException;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * A HikariCP credentials provider that reads the database password from a keyring4j store each time
 * the pool opens a connection. The user name is the account; the password is the secret stored
 * under {@code (service, account)}.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>The store is asked at every {@link #getCredentials()}, and HikariCP calls it for every new
 *       physical connection (and once when the pool starts). A password rotated in the store is
 *       therefore used by the next connection the pool opens, without rebuilding the pool; evict
 *       the old connections ({@code HikariPoolMXBean.softEvictConnections()}) to make that now.
 *       Nothing is cached here.</li>
 *   <li>A missing credential, an empty stored password, or a store failure makes
 *       {@link #getCredentials()} throw a {@link KeyringException} with keyring4j's message, so the
 *       connection attempt fails before anything is sent to the database: no blank or empty
 *       password is ever sent. HikariCP reports it as the cause of its
 *       {@code SQLTransientConnectionException} (or throws it from the pool's constructor when the
 *       pool starts).</li>
 *   <li>The secret never appears in an exception message or in {@link #toString()}; the
 *       {@link Secret} read from the store is wiped once HikariCP's {@link Credentials} holds the
 *       password (HikariCP's API takes a {@code String}).</li>
 * </ul>
 *
 * <p>Two ways to make one:
 * <ul>
 *   <li>{@link #KeyringCredentialsProvider(CredentialStore, String, String)} with a store the caller
 *       opened and keeps open while the pool lives, passed to {@code HikariConfig.setCredentialsProvider}.
 *       One pool, one set of names; any number of pools per JVM.</li>
 *   <li>{@link #KeyringCredentialsProvider()}, which HikariCP calls when configured by class name
 *       ({@code credentialsProviderClassName=dev.keyring4j.hikari.KeyringCredentialsProvider} in a
 *       HikariCP properties file or {@code HikariConfig.setCredentialsProviderClassName}). HikariCP
 *       7.1.0 instantiates it with no arguments and gives it nothing of the pool's configuration
 *       (neither data-source properties nor pool name), so it is configured by the system properties
 *       {@value #SERVICE_PROPERTY}, {@value #ACCOUNT_PROPERTY} and, optionally,
 *       {@value #BACKEND_PROPERTY}; these are the same for every pool of the JVM.</li>
 * </ul>
 */
public final class KeyringCredentialsProvider implements HikariCredentialsProvider, AutoCloseable {
    /** System property naming the service, for the no-argument constructor. Required there. */
    public static final String SERVICE_PROPERTY = "dev.keyring4j.hikari.service";
    /** System property naming the account, which is also the database user name. Required for the no-argument constructor. */
    public static final String ACCOUNT_PROPERTY = "dev.keyring4j.hikari.account";
    /**
     * System property with the store spec for {@code Keyring.open(spec)} (a backend id or a chain,
     * {@code kernel}, {@code secret-service,encrypted-file}); unset, the no-argument constructor uses
     * {@code Keyring.open()}, i.e. keyring4j's own configuration layers ({@code keyring4j.backend}, …).
     */
    public static final String BACKEND_PROPERTY = "dev.keyring4j.hikari.backend";

    private final String service;
    private final String account;
    /** The store given to the constructor (the caller owns it), or null when this provider opens its own. */
    private final CredentialStore given;
    /** For the no-argument constructor: the spec to open, or null for {@code Keyring.open()}. */
    private final String backendSpec;
    private CredentialStore opened;
    private boolean closed;

    /**
     * A provider over a store the caller opened. The caller keeps the store open while the pool
     * lives and closes it after the pool; {@link #close()} does not close it.
     *
     * @param store   where the password is kept
     * @param service the service the password is stored under
     * @param account the account, also the user name given to the database
     * @throws IllegalArgumentException if {@code service} or {@code account} is empty
     */
    public KeyringCredentialsProvider(CredentialStore store, String service, String account) {
        this.given = Objects.requireNonNull(store, "store");
        this.service = requireName(service, "service");
        this.account = requireName(account, "account");
        this.backendSpec = null;
    }

    /**
     * The constructor HikariCP calls for {@code credentialsProviderClassName}: the names come from the
     * system properties {@value #SERVICE_PROPERTY} and {@value #ACCOUNT_PROPERTY}, the store from
     * {@value #BACKEND_PROPERTY} (else {@code Keyring.open()}). The store is opened at the first
     * {@link #getCredentials()}, not here, and an opening that failed is retried at the next one.
     *
     * @throws ConfigurationException if either name property is missing or blank (HikariCP wraps it
     *         in its "Failed to instantiate class" exception)
     */
    public KeyringCredentialsProvider() {
        this(System.getProperties());
    }

    private KeyringCredentialsProvider(Properties props) {
        this.given = null;
        this.service = requireProperty(props, SERVICE_PROPERTY);
        this.account = requireProperty(props, ACCOUNT_PROPERTY);
        String spec = props.getProperty(BACKEND_PROPERTY);
        this.backendSpec = spec == null || spec.isBlank() ? null : spec.trim();
    }

    /**
     * The account as user name and the stored secret as password, read from the store now.
     *
     * @throws KeyringException when the store holds nothing (or an empty password) under the names,
     *         or cannot be opened or read; never returns credentials without a password
     */
    @Override
    public Credentials getCredentials() {
        CredentialStore store = store();
        Optional<Secret> found;
        try {
            found = store.get(service, account);
        } catch (KeyringException e) {
            throw e; // keyring4j's own message already says what failed, where, and what to do
        } catch (RuntimeException e) {
            // e.g. a store closed under the pool: still reported in keyring4j's terms, cause attached
            throw new KeyringException("HikariCP could not read the database password (service '" + service + "', account '" + account
                    + "') from the " + store.id() + " store: " + e.getMessage() + "; no connection was attempted", e);
        }
        if (found.isEmpty()) {
            throw new KeyringException("no database password in the " + store.id() + " store under service '" + service + "', account '" + account
                    + "', so HikariCP opened no connection; store it with `keyring4j set " + service + " " + account + "`");
        }
        try (Secret secret = found.get()) {
            if (secret.length() == 0) {
                throw new KeyringException("the database password stored in the " + store.id() + " store under service '" + service
                        + "', account '" + account + "' is empty; keyring4j never sends an empty password, so HikariCP opened no connection;"
                        + " store the real password with `keyring4j set " + service + " " + account + "`");
            }
            return Credentials.of(account, secret.asString());
        }
    }

    /** The service the password is read from. */
    public String service() {
        return service;
    }

    /** The account the password is read from, also the database user name. */
    public String account() {
        return account;
    }

    /**
     * Closes the store this provider opened itself (no-argument constructor); a store given to the
     * constructor stays open, its owner closes it. Afterwards {@link #getCredentials()} fails.
     * HikariCP never calls this: close the provider after the pool
     * ({@code ((AutoCloseable) config.getCredentialsProvider()).close()}) if the store holds resources.
     */
    @Override
    public synchronized void close() {
        closed = true;
        if (opened != null) {
            opened.close();
            opened = null;
        }
    }

    @Override
    public String toString() {
        return "KeyringCredentialsProvider[service=" + service + ", account=" + account + ", store="
                + (given != null ? given.id() : backendSpec != null ? backendSpec : "Keyring.open()") + "]";
    }

    private synchronized CredentialStore store() {
        if (closed) {
            throw new KeyringException("this KeyringCredentialsProvider (service '" + service + "', account '" + account
                    + "') was closed, so HikariCP can open no connection through it; close the pool before its credentials provider");
        }
        if (given != null) return given;
        if (opened == null) {
            // failures propagate (keyring4j's message) and are not remembered: the next connection attempt tries again
            opened = backendSpec != null ? Keyring.open(backendSpec) : Keyring.open();
        }
        return opened;
    }

    private static String requireName(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty()) throw new IllegalArgumentException("the " + what + " of a KeyringCredentialsProvider must not be empty");
        return value;
    }

    private static String requireProperty(Properties props, String name) {
        String value = props.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new ConfigurationException("KeyringCredentialsProvider was created by class name (HikariCP's credentialsProviderClassName)"
                    + " but the system property " + name + " is not set; set -D" + SERVICE_PROPERTY + "=SERVICE and -D" + ACCOUNT_PROPERTY
                    + "=ACCOUNT (optionally -D" + BACKEND_PROPERTY + "=BACKEND), or construct it with (store, service, account)"
                    + " and pass it to HikariConfig.setCredentialsProvider");
        }
        return value.trim();
    }
}
