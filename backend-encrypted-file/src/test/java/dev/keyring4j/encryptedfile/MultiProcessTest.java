package dev.keyring4j.encryptedfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 4 processes x 4 threads x 250 sets/deletes on disjoint ids: every last value present, nothing extra. */
class MultiProcessTest {
    @TempDir
    Path tmp;

    @Test
    void fourProcessesOfFourThreadsLoseNothing() throws Exception {
        int processes = 4;
        List<Process> ps = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            ps.add(Fixtures.childJvm(ConcurrentWriter.class, tmp.toString(), "keyfile", Integer.toString(p), "4", "250")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }
        Map<CredentialId, String> expected = new HashMap<>();
        for (Process p : ps) {
            List<String> lines = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) lines.add(line);
            }
            assertTrue(p.waitFor(10, TimeUnit.MINUTES));
            assertEquals(0, p.exitValue(), "a writer failed: " + lines);
            assertEquals("END", lines.get(lines.size() - 1));
            for (String line : lines.subList(0, lines.size() - 1)) {
                String[] f = line.split(" ");
                expected.put(new CredentialId(f[1], f[2]), f[0].equals("S") ? f[3] : null);
            }
        }
        assertEquals(4 * 4 * 8, expected.size(), "every thread touched each of its 8 accounts");
        try (EncryptedFileStore s = Fixtures.open(tmp, "keyfile")) {
            HashSet<CredentialId> present = new HashSet<>();
            for (Map.Entry<CredentialId, String> e : expected.entrySet()) {
                CredentialId id = e.getKey();
                assertEquals(java.util.Optional.ofNullable(e.getValue()), s.get(id.service(), id.account()).map(v -> v.asString()), "value of " + id);
                if (e.getValue() != null) present.add(id);
            }
            assertEquals(present, new HashSet<>(s.list()), "nothing extra, nothing missing");
        }
    }
}
