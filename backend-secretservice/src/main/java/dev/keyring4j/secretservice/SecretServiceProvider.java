package dev.keyring4j.secretservice;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.Capabilities;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.spi.CredentialStoreProvider;
import dev.keyring4j.spi.Setting;
import java.util.List;

/**
 * The {@code secret-service} backend: the freedesktop Secret Service (gnome-keyring, KeePassXC,
 * KWallet) over the D-Bus session bus, spoken directly with dbus-java's native unix-socket
 * transport.
 *
 * <p>Guarantees: {@link #probe} never prompts, never writes and never activates the provider; it
 * connects once, and the store opened from its candidate keeps that connection (nothing is
 * connected twice). Its time limit is the common {@code secret-service.probe-timeout}, counted
 * from the moment the bus is connected (dbus-java loaded, socket connected), so a busy JVM does not
 * make the bus look slow. It says unavailable only when absence is proved (no bus address, no
 * socket, the socket refuses, nothing owns {@code org.freedesktop.secrets} and it is not
 * activatable, no collection); a timeout or an unexpected D-Bus error is indeterminate. Secrets
 * cross the bus inside a {@code dh-ietf1024-sha256-aes128-cbc-pkcs7} session unless
 * {@code secret-service.session=plain} is configured; every D-Bus call has a timeout
 * ({@code secret-service.timeout}, 5 s by default); items are readable by Python keyring and
 * {@code secret-tool} and the other way round. Priority 10.
 *
 * <p>Configuration keys (prefix {@code secret-service.}): {@code collection}, {@code session},
 * {@code prompt} ({@code deny}|{@code allow}), {@code prompt-timeout}, {@code timeout},
 * {@code application}, and the common ones. See {@code docs/backends/secret-service.md}.
 */
public final class SecretServiceProvider implements CredentialStoreProvider {
    /** The default priority. */
    public static final int PRIORITY = 10;

    /** For {@link java.util.ServiceLoader}. */
    public SecretServiceProvider() {
    }

    @Override
    public String id() {
        return SecretServiceStore.ID;
    }

    @Override
    public Capabilities capabilities() {
        return SecretServiceStore.CAPABILITIES;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public List<Setting<?>> settings() {
        return SecretServiceSettings.ALL;
    }

    @Override
    public Candidate probe(BackendConfig config) {
        SecretServiceSettings settings = SecretServiceSettings.from(config);
        String address;
        try {
            address = SecretServiceSettings.busAddress(config);
        } catch (BackendUnavailableException e) {
            return without(Availability.unavailable(e.reason()));
        }
        if (SecretServiceSettings.DH_ALGORITHM.equals(settings.sessionAlgorithm())) DhIetf1024Session.Exchange.prepare();
        BusConnection.loadClasses();
        SecretServiceClient client;
        try {
            // bounded by secret-service.timeout: a socket that accepts and never answers cannot hold us
            client = new SecretServiceClient(BusConnection.open(address, settings.timeout()));
        } catch (BusCallException e) {
            return without(e.refused()
                    ? Availability.unavailable("secret-service: nothing listens on the session bus socket " + SecretServiceErrors.shortAddress(address)
                            + " (" + e.getMessage() + "); is the D-Bus session running?")
                    : failed(e, address));
        }
        config.startProbeClock();
        try {
            boolean running = client.nameHasOwner();
            if (!running && !client.activatable()) {
                client.close();
                return without(Availability.unavailable(SecretServiceErrors.noProvider(address).reason()));
            }
            String collection = null;
            String reason;
            if (!running) {
                // reading an alias would start the provider; the probe stays read-only and cheap
                reason = SecretServiceClient.SECRETS + " is activatable on " + SecretServiceErrors.shortAddress(address);
            } else {
                collection = CollectionResolver.resolve(client, settings);
                reason = "collection " + collection + (client.locked(collection) ? " (locked: unlocking needs a prompt)" : "")
                        + " on " + SecretServiceErrors.shortAddress(address);
            }
            String resolved = collection;
            return Candidate.of(Availability.available(PRIORITY, reason), capabilities(),
                    () -> SecretServiceStore.open(settings, address, client, resolved), client::close)
                    .watchedBy("D-Bus signals ItemCreated/ItemChanged/ItemDeleted of the collection, believed only from the provider's"
                            + " unique name, and a re-read every 5 s (gnome-keyring does not signal SetSecret); RESYNC after a provider restart");
        } catch (BusCallException e) {
            client.close();
            return without(failed(e, address));
        } catch (BackendUnavailableException e) {
            // the provider answered: the collection it was asked for is not there
            client.close();
            return without(Availability.unavailable(e.reason()));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** A call that timed out or failed unexpectedly proves nothing about the Secret Service. */
    private static Availability failed(BusCallException e, String address) {
        return Availability.indeterminate("secret-service: " + e.getMessage() + " (bus " + SecretServiceErrors.shortAddress(address) + ")");
    }

    private Candidate without(Availability availability) {
        return Candidate.without(availability, capabilities());
    }
}
