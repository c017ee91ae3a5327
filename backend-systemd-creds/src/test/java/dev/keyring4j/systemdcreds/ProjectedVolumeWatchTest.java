package dev.keyring4j.systemdcreds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.keyring4j.CredentialEvent;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Subscription;
import dev.keyring4j.internal.DirectoryWatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes projected-volume update, done as the kubelet's AtomicWriter does it: the new
 * values in a new {@code ..<timestamp>} directory, a {@code ..data_tmp} link to it renamed over
 * {@code ..data}, the old directory removed. The files the store reads ({@code db.password ->
 * ..data/db.password}) never change themselves, so only a watch on the directory sees it.
 */
class ProjectedVolumeWatchTest {
    @TempDir
    Path tmp;

    private static Path version(Path volume, String ts, String password, String user) {
        Path v = CredentialFiles.dir(volume, ".." + ts);
        CredentialFiles.write(v, "db.password", password.getBytes(UTF_8));
        CredentialFiles.write(v, "db.user", user.getBytes(UTF_8));
        return v;
    }

    private static void swap(Path volume, Path newVersion, Path oldVersion) throws Exception {
        Path tmpLink = volume.resolve("..data_tmp");
        Files.createSymbolicLink(tmpLink, newVersion.getFileName());
        Files.move(tmpLink, volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (var files = Files.list(oldVersion)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(oldVersion);
    }

    @Test
    void theDataSymlinkSwapIsSeen() throws Exception {
        Path volume = CredentialFiles.dir(tmp, "secret-volume");
        Path v1 = version(volume, "2026_12_02_10_00_00.1", "one", "app");
        Files.createSymbolicLink(volume.resolve("..data"), v1.getFileName());
        Files.createSymbolicLink(volume.resolve("db.password"), Path.of("..data/db.password"));
        Files.createSymbolicLink(volume.resolve("db.user"), Path.of("..data/db.user"));
        CredentialId password = new CredentialId("db", "password");
        try (CredentialStore s = CredentialFiles.open(null, Map.of("dirs", volume.toString()))) {
            LinkedBlockingQueue<CredentialEvent> q = new LinkedBlockingQueue<>();
            try (Subscription sub = s.watch("db", "password", q::add)) {
                Path v2 = version(volume, "2026_12_02_10_05_00.2", "two", "app");
                swap(volume, v2, v1);
                assertEquals(new CredentialEvent(password, CredentialEvent.Kind.CHANGED), q.poll(2, TimeUnit.SECONDS), "the ..data swap");
                assertEquals("two", s.get("db", "password").orElseThrow().asString());
                // a swap that changes only db.user fires nothing for db.password
                Path v3 = version(volume, "2026_12_02_10_10_00.3", "two", "admin");
                swap(volume, v3, v2);
                assertNull(q.poll(1, TimeUnit.SECONDS), "db.password did not change");
                assertEquals("admin", s.get("db", "user").orElseThrow().asString());
            }
            assertEquals(0, DirectoryWatch.watchedDirectories(), "closing the subscription removes the directory watch");
        }
    }
}
