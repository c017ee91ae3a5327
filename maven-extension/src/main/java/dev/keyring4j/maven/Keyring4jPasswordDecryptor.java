package dev.keyring4j.maven;

import dev.keyring4j.KeyringException;
import java.util.Map;
import javax.inject.Named;
import javax.inject.Singleton;
import org.sonatype.plexus.components.sec.dispatcher.PasswordDecryptor;
import org.sonatype.plexus.components.sec.dispatcher.SecDispatcherException;

/**
 * Maven 3.9: the {@code plexus-sec-dispatcher} 2.0 decryptor of type {@code keyring4j}. A settings.xml
 * password {@code {[type=keyring4j]SERVICE/ACCOUNT}} becomes the secret stored under
 * {@code (SERVICE, ACCOUNT)} in the store {@code Keyring.open()} returns.
 *
 * <p>Guarantees: the secret is returned to Maven and nowhere else (never logged, never in a message);
 * a malformed form, a missing or empty credential, or a store failure throws with keyring4j's message,
 * and {@link FailedPasswordCheck} then fails the build naming the server id, before any repository is
 * contacted. Maven 3.9 reaches this class only when {@code ~/.m2/settings-security.xml} (or the file
 * {@code -Dsettings.security} names) exists; {@link FailedPasswordCheck} says so when it did not.
 */
@Named("keyring4j")
@Singleton
public final class Keyring4jPasswordDecryptor implements PasswordDecryptor {
    /** Sisu builds it; it holds nothing until Maven asks for a password. */
    public Keyring4jPasswordDecryptor() {
    }

    @Override
    @SuppressWarnings("rawtypes")
    public String decrypt(String str, Map attributes, Map config) throws SecDispatcherException {
        try {
            return Passwords.password(str);
        } catch (KeyringException e) {
            // Maven 3.9 wraps what escapes here; the message (never a secret) is what the build failure shows
            throw new SecDispatcherException(e.getMessage());
        }
    }
}
