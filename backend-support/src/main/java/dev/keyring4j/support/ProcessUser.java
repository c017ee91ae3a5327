package dev.keyring4j.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The uid this process runs as, for the checks that refuse files and directories another user could
 * replace. Read from {@code /proc/self/status}, which stays right when the process has made itself
 * non-dumpable (the command does, before a secret enters it): {@code /proc/self} then belongs to root.
 */
public final class ProcessUser {
    private static volatile Integer uid;

    private ProcessUser() {
    }

    /** The effective uid, read once per JVM. */
    public static int uid() throws IOException {
        Integer u = uid;
        if (u == null) {
            u = read();
            uid = u;
        }
        return u;
    }

    private static int read() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
            if (!line.startsWith("Uid:")) continue;
            String[] ids = line.substring(4).trim().split("\\s+"); // real, effective, saved, filesystem
            if (ids.length >= 2) return Integer.parseInt(ids[1]);
        }
        throw new IOException("no Uid line in /proc/self/status");
    }
}
