package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyring4j rotate} and {@code rotate --rekey} on a key file store, with the built jar in a private home. */
class RotateIT {
    private static final Pattern FILE_ID = Pattern.compile("\"fileId\":\"([0-9a-f]{32})\"");
    @TempDir
    Path home;

    private Map<String, String> env() {
        return Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve("config").toString(),
                "XDG_DATA_HOME", home.resolve("data").toString(), "XDG_STATE_HOME", home.resolve("state").toString(),
                "PATH", "/usr/bin:/bin");
    }

    private Processes.Result k4j(String stdin, String... args) throws Exception {
        Path cfg = home.resolve("k.properties");
        if (!Files.exists(cfg)) Files.writeString(cfg, "backend = encrypted-file\nencrypted-file.protection = keyfile\n");
        List<String> cmd = new java.util.ArrayList<>(List.of("--config", cfg.toString()));
        cmd.addAll(Arrays.asList(args));
        return Processes.run(Processes.jar(cmd.toArray(String[]::new)), env(), stdin);
    }

    private String fileId() throws Exception {
        Matcher m = FILE_ID.matcher(Files.readString(home.resolve("data/keyring4j/credentials.k4j")));
        assertTrue(m.find());
        return m.group(1);
    }

    @Test
    void rotateReplacesTheKeyFileAndRekeyAlsoTheFileId() throws Exception {
        Processes.Result r = k4j("s3cret\n", "set", "svc", "acct");
        assertEquals(0, r.exit(), r.err());
        String id = fileId();
        Path key = home.resolve("config/keyring4j/" + id + ".key");
        byte[] before = Files.readAllBytes(key);

        r = k4j(null, "rotate");
        assertEquals(0, r.exit(), r.err());
        assertEquals(id, fileId(), "rotate keeps the file id");
        assertFalse(Arrays.equals(before, Files.readAllBytes(key)), "rotate writes a new key file");

        r = k4j(null, "rotate", "--rekey");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("rekeyed"), r.err());
        String newId = fileId();
        assertFalse(id.equals(newId), "rekey gives a new file id");
        assertFalse(Files.exists(key), "the old file id's key file is gone");
        assertTrue(Files.exists(home.resolve("config/keyring4j/" + newId + ".key")));

        r = k4j(null, "get", "svc", "acct");
        assertEquals(0, r.exit(), r.err());
        assertArrayEquals("s3cret\n".getBytes(), r.out().getBytes());
    }
}
