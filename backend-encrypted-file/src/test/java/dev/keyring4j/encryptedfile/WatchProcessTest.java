package dev.keyring4j.encryptedfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialEvent;
import dev.keyring4j.CredentialId;
import dev.keyring4j.Secret;
import dev.keyring4j.Subscription;
import dev.keyring4j.internal.DirectoryWatch;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second JVM writes the store file; the watching store sees it, for the watched credential only. */
class WatchProcessTest {
    @TempDir
    Path tmp;

    private void write(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = tmp.toString();
        all[1] = "keyfile";
        System.arraycopy(args, 0, all, 2, args.length);
        Process p = Fixtures.childJvm(OneWrite.class, all).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the writer did not end");
        assertEquals(0, p.exitValue(), "the writer failed");
    }

    @Test
    void anotherProcessWritingIsSeen() throws Exception {
        CredentialId id = new CredentialId("db.example.com", "app");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set(id.service(), id.account(), Secret.of("first"));
            s.set("db.example.com", "other", Secret.of("x"));
            LinkedBlockingQueue<CredentialEvent> q = new LinkedBlockingQueue<>();
            try (Subscription sub = s.watch(id.service(), id.account(), q::add)) {
                write("db.example.com", "other", "y"); // another credential: nothing for this subscription
                write(id.service(), id.account(), "second");
                CredentialEvent e = q.poll(2, TimeUnit.SECONDS);
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.CHANGED), e, "the second JVM's write");
                assertEquals("second", s.get(id.service(), id.account()).orElseThrow().asString());
                write(id.service(), id.account(), "--delete");
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.DELETED), q.poll(2, TimeUnit.SECONDS));
                write(id.service(), id.account(), "third");
                assertEquals(new CredentialEvent(id, CredentialEvent.Kind.CREATED), q.poll(2, TimeUnit.SECONDS));
                assertNull(q.poll(300, TimeUnit.MILLISECONDS), "one event per change");
            }
            assertEquals(0, DirectoryWatch.watchedDirectories(), "closing the last subscription stops the directory watch");
        }
    }

    @Test
    void compactionAndRotationFireNothing() throws Exception {
        CredentialId id = new CredentialId("svc", "acct");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            s.set(id.service(), id.account(), Secret.of("v"));
            LinkedBlockingQueue<CredentialEvent> q = new LinkedBlockingQueue<>();
            try (Subscription sub = s.watch(id.service(), id.account(), q::add)) {
                s.compact();
                s.rotate();
                assertNull(q.poll(1, TimeUnit.SECONDS), "the file was rewritten but the value did not change");
                s.set(id.service(), id.account(), Secret.of("w"));
                assertNotNull(q.poll(2, TimeUnit.SECONDS));
            }
        }
    }
}
