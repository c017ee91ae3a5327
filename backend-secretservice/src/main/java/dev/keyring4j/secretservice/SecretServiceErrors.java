package dev.keyring4j.secretservice;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.KeyringException;
import dev.keyring4j.LockedException;
import java.time.Duration;

/**
 * Turns D-Bus failures into keyring4j exceptions, in one place: a timeout, a lost bus, and each
 * error reply the Secret Service gives map to the exception type a caller can act on, with a
 * message that says what was being done, on which bus, and what to do. Never includes a secret.
 */
final class SecretServiceErrors {
    private final String where;
    private final Duration timeout;

    SecretServiceErrors(String address, Duration timeout) {
        this.where = " on the session bus " + shortAddress(address);
        this.timeout = timeout;
    }

    /** The bus address without its guid, for messages. */
    static String shortAddress(String address) {
        return address.replaceAll(",guid=[^;]*", "");
    }

    static BackendUnavailableException noProvider(String address) {
        return new BackendUnavailableException("secret-service: no Secret Service provider on the session bus " + shortAddress(address)
                + ": nothing owns " + SecretServiceClient.SECRETS
                + " and it is not activatable (start gnome-keyring-daemon, KeePassXC with Secret Service integration, or KWallet)");
    }

    /** OpenSession answered NotSupported for the encrypted algorithm. */
    static BackendUnavailableException sessionNotSupported(String algorithm) {
        return new BackendUnavailableException("secret-service: the provider does not support the encrypted session " + algorithm
                + "; keyring4j does not fall back to plain by itself (set secret-service.session=plain to accept unencrypted transfer on the bus)");
    }

    /** The exception for {@code e}, raised while doing {@code what} (e.g. "reading 'alice' on 'github.com'"). */
    KeyringException translate(String what, BusCallException e) {
        return switch (e.kind()) {
            case TIMEOUT -> new KeyringException("secret-service: the Secret Service did not answer while " + what + where + " within "
                    + timeout.toMillis() + " ms (secret-service.timeout); the provider may be hung: restart it (e.g. gnome-keyring-daemon --replace)"
                    + (what.startsWith("reading") || what.startsWith("listing") ? "" : "; the request was sent, so it may still take effect if the provider resumes"), e);
            case DISCONNECTED -> new BackendUnavailableException("secret-service: lost the session bus while " + what + where + ": " + e.getMessage(), e);
            case ERROR_REPLY -> {
                String name = e.errorName() == null ? "" : e.errorName();
                if (name.equals(SecretServiceClient.IS_LOCKED)) {
                    yield new LockedException("secret-service: the collection is locked (" + what + "); unlock it (log in to the desktop session or open Seahorse), or set secret-service.prompt=allow", e);
                }
                if (name.equals("org.freedesktop.DBus.Error.ServiceUnknown") || name.equals("org.freedesktop.DBus.Error.NameHasNoOwner")) {
                    yield new BackendUnavailableException("secret-service: no Secret Service provider answers" + where + " (" + what + "): " + e.getMessage(), e);
                }
                if (name.equals("org.freedesktop.DBus.Error.AccessDenied")) {
                    yield new AccessDeniedException("secret-service: the Secret Service refused " + what + ": " + e.getMessage(), e);
                }
                yield new KeyringException("secret-service: " + what + " failed: " + e.getMessage(), e);
            }
        };
    }
}
