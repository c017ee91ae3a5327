package dev.keyring4j.maven;

import java.util.ArrayList;
import java.util.List;
import javax.inject.Named;
import javax.inject.Singleton;
import org.apache.maven.AbstractMavenLifecycleParticipant;
import org.apache.maven.MavenExecutionException;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.settings.Proxy;
import org.apache.maven.settings.Server;

/**
 * Fails the build, naming the server id, when a server's password (or passphrase, or a proxy's password) in settings.xml is a
 * Maven 3.9 keyring4j form that did not become a password: keyring4j failed (missing credential,
 * locked store, …: keyring4j's message), or Maven never asked keyring4j (no
 * {@code ~/.m2/settings-security.xml}, or the Maven 3.9 form under Maven 4). Maven 3.9 would otherwise
 * only log the failure at debug level and send the form's text to the repository as the password.
 * It runs when the session starts, before any project is read or repository contacted, and reads
 * only the servers' undecrypted settings (never a secret).
 */
@Named("keyring4j")
@Singleton
public final class FailedPasswordCheck extends AbstractMavenLifecycleParticipant {
    /** Sisu builds it. */
    public FailedPasswordCheck() {
    }

    @Override
    public void afterSessionStart(MavenSession session) throws MavenExecutionException {
        try {
            List<String> problems = new ArrayList<>();
            if (session.getSettings() != null) {
                for (Server server : session.getSettings().getServers()) {
                    check("server '" + server.getId() + "'", "password", server.getPassword(), problems);
                    check("server '" + server.getId() + "'", "passphrase", server.getPassphrase(), problems);
                }
                for (Proxy proxy : session.getSettings().getProxies()) {
                    check("proxy '" + proxy.getId() + "'", "password", proxy.getPassword(), problems);
                }
            }
            if (!problems.isEmpty()) {
                throw new MavenExecutionException(String.join("; ", problems), (java.io.File) null);
            }
        } finally {
            Passwords.forgetOutcomes();
        }
    }

    private static void check(String owner, String field, String value, List<String> problems) {
        if (value == null) return;
        String payload = Reference.formPayload(value, "type");
        if (payload == null) return;
        String outcome = Passwords.outcome(payload);
        if (outcome != null && outcome.isEmpty()) return; // answered
        String where = "the " + field + " of " + owner + " (" + value.trim() + ")";
        if (outcome != null) {
            problems.add("keyring4j could not supply " + where + ": " + outcome);
        } else if (maven4()) {
            problems.add("Maven 4 does not read the Maven 3.9 form in " + where + "; write {[name=keyring4j,version=4.0]" + payload
                    + "} (see " + Reference.DOCS + "#settings-forms)");
        } else {
            problems.add("Maven never asked keyring4j for " + where + ": Maven 3.9 reaches a decryptor only when ~/.m2/settings-security.xml"
                    + " (or the file -Dsettings.security names) exists; create it with the content <settingsSecurity/>"
                    + " (see " + Reference.DOCS + "#troubleshooting)");
        }
    }

    private static boolean maven4() {
        try {
            Class.forName("org.apache.maven.api.Session", false, FailedPasswordCheck.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
