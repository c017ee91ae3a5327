package dev.keyring4j.maven;

import dev.keyring4j.KeyringException;
import java.util.List;
import java.util.Map;
import javax.inject.Named;
import javax.inject.Singleton;
import org.codehaus.plexus.components.secdispatcher.Dispatcher;
import org.codehaus.plexus.components.secdispatcher.SecDispatcher;
import org.codehaus.plexus.components.secdispatcher.SecDispatcherException;

/**
 * Maven 4: the {@code plexus-sec-dispatcher} 4.x dispatcher named {@code keyring4j}. A settings.xml
 * password {@code {[name=keyring4j,version=4.0]SERVICE/ACCOUNT}} becomes the secret stored under
 * {@code (SERVICE, ACCOUNT)} in the store {@code Keyring.open()} returns.
 *
 * <p>Guarantees: the secret is returned to Maven and nowhere else; a malformed form, a missing or empty
 * credential, or a store failure throws with keyring4j's message, naming the server (or proxy) whose value it
 * is when a settings file of the run carries it; Maven 4 reports it as a fatal
 * settings problem (the build stops before any repository is contacted). It only reads: {@code mvnenc}
 * cannot encrypt with it ({@code keyring4j maven-password} prints the form instead).
 */
@Named("keyring4j")
@Singleton
public final class Keyring4jDispatcher implements Dispatcher {
    /** Sisu builds it; it holds nothing until Maven asks for a password. */
    public Keyring4jDispatcher() {
    }

    @Override
    public EncryptPayload encrypt(String str, Map<String, String> attributes, Map<String, String> config) throws SecDispatcherException {
        throw new SecDispatcherException("the keyring4j dispatcher does not encrypt: store the password with `keyring4j set SERVICE ACCOUNT`"
                + " and paste the line `keyring4j maven-password SERVICE ACCOUNT` prints (see " + Reference.DOCS + ")");
    }

    @Override
    public String decrypt(String str, Map<String, String> attributes, Map<String, String> config) throws SecDispatcherException {
        try {
            return Passwords.password(str);
        } catch (KeyringException e) {
            // Maven 4 reports only "Could not decrypt password … <the form>", without this exception's message,
            // even under -X, and never says whose value it is: say on stderr (Maven 4 shows it as "[WARNING] [stderr] …")
            // what keyring4j found, naming the server as the settings files name it
            String form = "{[name=keyring4j,version=4.0]" + str + "}";
            List<String> owners = SettingsOwners.of(str);
            String what = owners.isEmpty() ? "the settings.xml password " + form : String.join(" and ", owners) + " (" + form + ")";
            String message = "keyring4j could not supply " + what + ": " + e.getMessage();
            System.err.println(message);
            System.err.flush();
            throw new SecDispatcherException(message);
        }
    }

    @Override
    public SecDispatcher.ValidationResponse validateConfiguration(Map<String, String> config) {
        return new SecDispatcher.ValidationResponse(getClass().getSimpleName(), true,
                Map.of(SecDispatcher.ValidationResponse.Level.INFO, List.of("reads the store Keyring.open() returns; needs no configuration")), List.of());
    }
}
