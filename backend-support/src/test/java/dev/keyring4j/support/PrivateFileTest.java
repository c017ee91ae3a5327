package dev.keyring4j.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one atomic 0600 write, on real files. */
class PrivateFileTest {
    @TempDir
    Path tmp;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private long temps() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().endsWith(PrivateFile.TEMP_SUFFIX)).count();
        }
    }

    @Test
    void writesA0600FileAndReplacesItWholeLeavingNoTempFile() throws Exception {
        Path f = tmp.resolve("secret");
        PrivateFile.writeAtomically(f, bytes("one"));
        assertEquals("rw-------", mode(f));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        PrivateFile.writeAtomically(f, bytes("two"), PrivateFile.Sync.ATOMIC_ONLY);
        assertArrayEquals(bytes("two"), Files.readAllBytes(f));
        assertEquals("rw-------", mode(f), "the new file is 0600 whatever the old one was");
        assertEquals(0, temps());
    }

    @Test
    void aLinkAtTheTargetIsReplacedNeverFollowed() throws Exception {
        Path victim = Files.writeString(tmp.resolve("victim"), "untouched");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), victim);
        PrivateFile.writeAtomically(link, bytes("new"));
        assertFalse(Files.isSymbolicLink(link));
        assertEquals("new", Files.readString(link));
        assertEquals("untouched", Files.readString(victim));
    }

    @Test
    void theStepsRunBeforeAndAfterTheRenameAndAFailureLeavesTheOldFile() throws Exception {
        Path f = tmp.resolve("file");
        PrivateFile.writeAtomically(f, bytes("old"));
        List<String> seen = new ArrayList<>();
        PrivateFile.writeAtomically(f, bytes("new"), PrivateFile.Sync.DURABLE,
                () -> seen.add("before:" + Files.readString(f)), () -> seen.add("after:" + Files.readString(f)));
        assertEquals(List.of("before:old", "after:new"), seen);

        assertThrows(IOException.class, () -> PrivateFile.writeAtomically(f, bytes("lost"), PrivateFile.Sync.DURABLE,
                () -> { throw new IOException("refused"); }, null));
        assertEquals("new", Files.readString(f));
        assertEquals(0, temps(), "the temp file of a failed write is removed");
    }

    @Test
    void createNewRefusesAnExistingFile() throws Exception {
        Path f = tmp.resolve("key");
        PrivateFile.createNew(f, bytes("k"));
        assertEquals("rw-------", mode(f));
        assertThrows(FileAlreadyExistsException.class, () -> PrivateFile.createNew(f, bytes("other")));
        assertEquals("k", Files.readString(f));
        assertTrue(PrivateFile.tempFor(f).getFileName().toString().startsWith(".key."));
    }
}
