package dev.keyring4j.encryptedfile;

import dev.keyring4j.Secret;
import java.nio.file.Path;

/**
 * Child JVM for {@link CrashSafetyTest}: writes {@code k<i % 16> = i} for i = start, start+1, … forever,
 * printing {@code done i} after each set returned (a set appends to the journal). With a fourth
 * argument {@code compact}, every second set is followed by {@link EncryptedFileStore#compact} (a
 * rewrite of the file and a new journal), so that kills land in compactions too. The parent kills
 * it with SIGKILL.
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        long start = Long.parseLong(args[2]);
        boolean compact = args.length > 3 && args[3].equals("compact");
        try (EncryptedFileStore s = Fixtures.open(root, args[1])) {
            for (long i = start; ; i++) {
                s.set("crash", "k" + (i % 16), Secret.of(Long.toString(i)));
                System.out.println("done " + i);
                System.out.flush();
                if (compact && i % 2 == 0) s.compact();
            }
        }
    }
}
