package dev.keyring4j.systemdcreds;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

/** Test fixture: real credential directories and stores opened over them through the provider. */
final class CredentialFiles {
    static final SystemdCredentialsProvider PROVIDER = new SystemdCredentialsProvider();

    private CredentialFiles() {
    }

    /** A new directory with mode 0700 (what systemd gives a credentials directory, minus the read-only bit). */
    static Path dir(Path parent, String name) {
        try {
            return Files.createDirectories(parent.resolve(name), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path dir, String fileName, byte[] content) {
        try {
            return Files.write(dir.resolve(fileName), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A configuration with {@code $CREDENTIALS_DIRECTORY} (may be null) and these settings. */
    static BackendConfig config(Path credentialsDirectory, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        if (credentialsDirectory != null) env.put("CREDENTIALS_DIRECTORY", credentialsDirectory.toString());
        return BackendConfig.of("systemd-creds", settings, env);
    }

    static CredentialStore open(Path credentialsDirectory) {
        return open(credentialsDirectory, Map.of());
    }

    /** Probes, then opens the candidate; an unavailable one throws as {@code Keyring.open} would. */
    static CredentialStore open(Path credentialsDirectory, Map<String, String> settings) {
        Candidate c = PROVIDER.probe(config(credentialsDirectory, settings));
        if (!c.availability().isAvailable()) {
            throw new BackendUnavailableException("the systemd-creds backend cannot be used: " + c.availability().reason());
        }
        return c.open();
    }
}
