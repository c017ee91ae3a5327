package dev.keyring4j.systemdcreds;

import dev.keyring4j.Capabilities;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.spi.CredentialStoreProvider;
import dev.keyring4j.spi.Setting;
import java.util.List;

/**
 * The {@code systemd-creds} backend: read-only credentials that systemd hands to a service in
 * {@code $CREDENTIALS_DIRECTORY} ({@code LoadCredential=}, {@code LoadCredentialEncrypted=},
 * {@code SetCredential=}, {@code ImportCredential=}), then configured secret directories
 * ({@code systemd-creds.dirs}, e.g. Docker's and Kubernetes' {@code /run/secrets}), then with
 * {@code systemd-creds.credstore = true} the system credstores.
 *
 * <p>Guarantees: never writes ({@code set}/{@code delete} throw
 * {@link dev.keyring4j.ReadOnlyStoreException} saying how to provision); {@code get(service, account)}
 * reads the credential named by an injective, documented mapping ({@link SystemdCredentials#credentialName});
 * nothing outside the configured directories is read (no {@code /}, {@code ..} or NUL in a file
 * name, no symbolic link out of a configured directory); a directory that others can write to
 * makes the backend unavailable; a credential over {@code systemd-creds.max-size} (1 MiB) is
 * refused. Priority 20 when {@code $CREDENTIALS_DIRECTORY} is set and readable;
 * {@code systemd-creds.priority-without-credentials-directory} (15) when only other directories
 * are configured; otherwise unavailable. See {@code docs/backends/systemd-creds.md}.
 */
public final class SystemdCredentialsProvider implements CredentialStoreProvider {
    static final String ID = "systemd-creds";
    static final Capabilities CAPABILITIES = Capabilities.of(Capabilities.Flag.LISTABLE, Capabilities.Flag.WATCHABLE);

    /** For {@link java.util.ServiceLoader}. */
    public SystemdCredentialsProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /** With {@code $CREDENTIALS_DIRECTORY}; {@code priority-without-credentials-directory} applies without it. */
    @Override
    public int priority() {
        return CredentialSources.PRIORITY_WITH_CREDENTIALS_DIRECTORY;
    }

    @Override
    public List<Setting<?>> settings() {
        return CredentialSources.SETTINGS;
    }

    /** Parses the settings and inspects the directories once; the store reads from what was found. */
    @Override
    public Candidate probe(BackendConfig config) {
        CredentialSources sources = CredentialSources.resolve(config);
        Availability a = availability(sources);
        return a.isAvailable()
                ? Candidate.of(a, CAPABILITIES, () -> new SystemdCredentialStore(sources)).watchedBy("inotify on " + sources.directories.size()
                        + (sources.directories.size() == 1 ? " directory" : " directories") + " (files and the ..data swap of projected volumes)")
                : Candidate.without(a, CAPABILITIES);
    }

    private static Availability availability(CredentialSources s) {
        if (s.problem != null) return Availability.unavailable(s.problem);
        if (s.credentialsDirectory.isPresent()) {
            return Availability.available(CredentialSources.PRIORITY_WITH_CREDENTIALS_DIRECTORY, s.describe());
        }
        if (!s.extraConfigured) {
            return Availability.unavailable("$CREDENTIALS_DIRECTORY is not set (the process was not started by systemd with"
                    + " LoadCredential= or a similar setting) and neither systemd-creds.dirs nor systemd-creds.credstore is configured");
        }
        if (s.directories.isEmpty()) {
            return Availability.unavailable("$CREDENTIALS_DIRECTORY is not set and none of the configured directories exists: "
                    + String.join(", ", s.absent));
        }
        return Availability.available(s.priorityWithout, s.describe() + " ($CREDENTIALS_DIRECTORY is not set)");
    }
}
