package dev.keyring4j.secretservice;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.CredentialStoreProvider;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code secret-service} backend: the freedesktop Secret Service (gnome-keyring, KeePassXC,
 * KWallet) over the D-Bus session bus, spoken directly with dbus-java's native unix-socket
 * transport.
 *
 * <p>Guarantees: {@link #probe} never prompts, never writes and answers within
 * {@code secret-service.probe-timeout} (500 ms by default) plus scheduling slack; secrets cross the
 * bus inside a {@code dh-ietf1024-sha256-aes128-cbc-pkcs7} session unless
 * {@code secret-service.session=plain} is configured; every D-Bus call has a timeout
 * ({@code secret-service.timeout}, 5 s by default); items are readable by Python keyring and
 * {@code secret-tool} and the other way round. Priority 10.
 *
 * <p>Configuration keys (prefix {@code secret-service.}): {@code collection}, {@code session},
 * {@code prompt} ({@code deny}|{@code allow}), {@code prompt-timeout}, {@code timeout},
 * {@code probe-timeout}, {@code application}. See {@code docs/backends/secret-service.md}.
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
    public Capabilities capabilities(BackendConfig config) {
        return SecretServiceStore.CAPABILITIES;
    }

    @Override
    public Set<String> configKeys() {
        return SecretServiceSettings.KEYS;
    }

    @Override
    public Availability probe(BackendConfig config) {
        SecretServiceSettings settings = SecretServiceSettings.from(config);
        String address;
        try {
            address = SecretServiceSettings.busAddress(config);
        } catch (BackendUnavailableException e) {
            return Availability.unavailable(stripLink(e.getMessage()));
        }
        long budget = settings.probeTimeout().toMillis();
        // the whole probe runs on its own daemon thread, so a bus that accepts and then stalls cannot hold us
        CompletableFuture<Availability> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(probe(address, settings));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "keyring4j-secret-service-probe");
        t.setDaemon(true);
        t.start();
        try {
            return f.get(budget, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Availability.unavailable("secret-service: no answer from the session bus " + SecretServiceErrors.shortAddress(address)
                    + " within " + budget + " ms (secret-service.probe-timeout)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Availability.unavailable("secret-service: interrupted while probing");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            return Availability.unavailable(c instanceof KeyringException ? stripLink(c.getMessage()) : "secret-service: " + c.getMessage());
        }
    }

    private static Availability probe(String address, SecretServiceSettings settings) {
        try (SecretServiceClient client = new SecretServiceClient(BusConnection.open(address, settings.probeTimeout()))) {
            if (!client.providerPresent()) throw SecretServiceErrors.noProvider(address);
            if (!client.nameHasOwner()) {
                // reading an alias would start the provider; the probe stays read-only and cheap
                return Availability.available(PRIORITY, SecretServiceClient.SECRETS + " is activatable on " + SecretServiceErrors.shortAddress(address));
            }
            String collection = CollectionResolver.resolve(client, settings);
            boolean locked = client.locked(collection);
            return Availability.available(PRIORITY, "collection " + collection + (locked ? " (locked: unlocking needs a prompt)" : "")
                    + " on " + SecretServiceErrors.shortAddress(address));
        } catch (BusCallException e) {
            return Availability.unavailable("secret-service: " + e.getMessage() + " (bus " + SecretServiceErrors.shortAddress(address) + ")");
        }
    }

    @Override
    public CredentialStore open(BackendConfig config) {
        SecretServiceSettings settings = SecretServiceSettings.from(config);
        return SecretServiceStore.open(settings, SecretServiceSettings.busAddress(config));
    }

    /** Availability reasons are one line without the troubleshooting link the exception appended. */
    private static String stripLink(String message) {
        int i = message.lastIndexOf(" (see docs/troubleshooting.md#");
        return i >= 0 ? message.substring(0, i) : message;
    }
}
