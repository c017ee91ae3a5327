package dev.keyring4j.etcd;

import dev.keyring4j.Capabilities;
import dev.keyring4j.ConfigurationException;
import dev.keyring4j.KeyringException;
import dev.keyring4j.internal.CredentialWatcher;
import dev.keyring4j.keyset.Keys;
import dev.keyring4j.keyset.KeysetProtection;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.spi.CredentialStoreProvider;
import dev.keyring4j.spi.Setting;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Provides the {@code etcd} backend: {@link EtcdStore}, credentials shared by a fleet through an
 * etcd cluster with client-side encryption. It is never part of an auto-detected chain unless
 * {@code etcd.endpoints} is set; then its priority is 15 (above the machine-local backends, since
 * configuring a cluster says that shared credentials are wanted). A configured cluster that does not
 * answer the probe is indeterminate with the reason, never a silent fall back to another backend.
 * Settings are declared once, in {@link #settings()}.
 */
public final class EtcdProvider implements CredentialStoreProvider {
    /** The backend id. */
    public static final String ID = "etcd";
    static final int PRIORITY = 15;
    /** Writable, persistent (replicated), encrypted on the client, with expiry (leases), listable, watchable (etcd's watch). */
    static final Capabilities CAPABILITIES = Capabilities.of(Capabilities.Flag.WRITABLE, Capabilities.Flag.PERSISTENT,
            Capabilities.Flag.ENCRYPTED_AT_REST, Capabilities.Flag.EXPIRY, Capabilities.Flag.LISTABLE, Capabilities.Flag.WATCHABLE);

    /** For {@link java.util.ServiceLoader}. */
    public EtcdProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public List<Setting<?>> settings() {
        return EtcdSettings.DECLARED;
    }

    @Override
    public Candidate probe(BackendConfig config) {
        if (!EtcdSettings.configured(config)) {
            return Candidate.without(Availability.unavailable("etcd.endpoints is not set (the etcd backend is used only when configured)"),
                    CAPABILITIES);
        }
        EtcdSettings s = EtcdSettings.from(config);
        config.startProbeClock();
        Client client;
        try {
            client = connect(s);
        } catch (ConfigurationException e) {
            throw e;
        } catch (KeyringException e) {
            return Candidate.without(Availability.indeterminate(e.getMessage()), CAPABILITIES);
        }
        String status;
        try {
            status = status(client, s, new EtcdFaults(s.endpointList(), s.prefix(), s.timeout()));
        } catch (KeyringException e) {
            client.close();
            return Candidate.without(Availability.indeterminate(e.getMessage()), CAPABILITIES);
        }
        String reason = status + ", prefix " + s.prefix() + ", protection " + KeysetProtection.of(s.protection(), s).describe()
                + "; protects against " + s.protection().protectsAgainst().replace("store file", "etcd data");
        return Candidate.of(Availability.available(PRIORITY, reason), CAPABILITIES, () -> new EtcdStore(s, client), client::close)
                .watchedBy("etcd watch on " + s.prefix() + "e/ from the first revision not yet received, restarted from there within 1 s after a failure"
                        + " (RESYNC only if etcd compacted the missed revisions)");
    }

    /** A client for the configured cluster: user and password, TLS, bounded retries. */
    static Client connect(EtcdSettings s) {
        ClientBuilder b = Client.builder().endpoints(s.endpoints().toArray(URI[]::new))
                .connectTimeout(s.timeout())
                // retries end well inside etcd.timeout: every call is bounded there anyway
                .retryMaxDuration(s.timeout())
                .retryDelay(50).retryMaxDelay(500)
                .waitForReady(false)
                .executorService(callbackThreads());
        if (s.user().isPresent()) {
            byte[] pw = s.password().orElseThrow();
            try {
                b.user(ByteSequence.from(s.user().get().getBytes(java.nio.charset.StandardCharsets.UTF_8))).password(ByteSequence.from(pw));
            } finally {
                Keys.wipe(pw);
            }
        }
        if (s.tlsCa().isPresent() || s.tlsCert().isPresent()) {
            try {
                b.sslContext(ssl -> {
                    s.tlsCa().ifPresent(ca -> ssl.trustManager(ca.toFile()));
                    if (s.tlsCert().isPresent()) ssl.keyManager(s.tlsCert().get().toFile(), s.tlsKey().orElseThrow().toFile());
                });
            } catch (javax.net.ssl.SSLException | RuntimeException e) {
                throw new ConfigurationException("cannot use the TLS files of etcd (etcd.tls.ca " + s.tlsCa().orElse(null) + ", etcd.tls.cert "
                        + s.tlsCert().orElse(null) + ", etcd.tls.key " + s.tlsKey().orElse(null) + "): " + e.getMessage(), e);
            }
        }
        try {
            return b.build();
        } catch (RuntimeException e) {
            throw new KeyringException("cannot create an etcd client for " + s.endpointList() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The threads jetcd runs its callbacks on (watch events among them): daemon threads that end after
     * 2 s idle, where jetcd's own pool keeps them 60 s, so that a store whose watches are closed holds
     * no extra thread for long. Never shut down: an idle pool has no thread left to stop.
     */
    private static ExecutorService callbackThreads() {
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 2, TimeUnit.SECONDS, new SynchronousQueue<>(),
                CredentialWatcher.daemonThreads("keyring4j-etcd-"));
    }

    /** The first endpoint that answers a status request: which member, its version, the cluster id. */
    static String status(Client client, EtcdSettings s, EtcdFaults faults) {
        KeyringException last = null;
        for (URI u : s.endpoints()) {
            try {
                StatusResponse r = faults.await(client.getMaintenanceClient().statusMember(u.toString()), "a status request at " + u);
                return "etcd " + r.getVersion() + " at " + s.endpointList() + ": member " + Long.toHexString(r.getHeader().getMemberId())
                        + " (" + u + ") answered, cluster id " + Long.toHexString(r.getHeader().getClusterId())
                        + (r.getLeader() == 0 ? ", NO LEADER (no quorum)" : ", leader " + Long.toHexString(r.getLeader()));
            } catch (KeyringException e) {
                last = e;
            }
        }
        throw last;
    }
}
