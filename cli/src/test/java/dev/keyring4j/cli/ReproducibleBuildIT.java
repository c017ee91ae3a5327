package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two builds give identical jars: the source tree (what git tracks, plus new files not ignored) is copied
 * twice into separate directories, each built with {@code mvn -o package -DskipTests -pl cli -am} (the api,
 * every backend, and the shaded command jar that carries the git commit), and the sha256 of every jar, the
 * sources and javadoc jars included, and of the tarball and the .deb must match. The git commit is read from
 * this checkout's repository (GIT_DIR), so both copies carry the same one. Offline: the outer build has
 * already resolved every plugin. About 3 minutes on a 2-core machine (two builds).
 */
class ReproducibleBuildIT {
    @TempDir
    Path dir;

    @Test
    void twoBuildsGiveIdenticalJarChecksums() throws Exception {
        String gitDir = SourceTree.gitDir();
        Map<String, String> first = null;
        for (String name : List.of("a", "b")) {
            Path copy = SourceTree.copy(dir.resolve(name));
            int exit = SourceTree.mvn(copy, Map.of("GIT_DIR", gitDir, "GIT_WORK_TREE", copy.toString()),
                    "package", "-DskipTests", "-Dfuzzing.skip=true", "-pl", "cli", "-am");
            if (exit != 0) throw new AssertionError("the build in " + copy + " failed:\n" + SourceTree.readLog(copy));
            Map<String, String> sums = checksums(copy);
            assertTrue(sums.containsKey("cli/target/keyring4j.jar") && sums.containsKey("api/target/keyring4j-api-" + Distributions.version() + ".jar")
                    && sums.containsKey("api/target/keyring4j-api-" + Distributions.version() + "-sources.jar")
                    && sums.containsKey("api/target/keyring4j-api-" + Distributions.version() + "-javadoc.jar"), sums.keySet().toString());
            if (first == null) {
                first = sums;
            } else {
                assertEquals(first, sums, "the second build's checksums");
                System.out.println("ReproducibleBuildIT: " + sums.size() + " artifacts identical in two builds: " + sums.keySet());
            }
        }
    }

    /** sha256 of every jar directly in a module's target/, and of the command's tarball and .deb, by path relative to the copy. */
    private static Map<String, String> checksums(Path copy) throws Exception {
        Map<String, String> sums = new TreeMap<>();
        List<Path> artifacts = new ArrayList<>();
        try (Stream<Path> all = Files.walk(copy, 3)) {
            all.filter(p -> p.getParent() != null && p.getParent().getFileName().toString().equals("target"))
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".jar") || n.endsWith(".tar.gz") || n.endsWith(".deb");
                    })
                    .forEach(artifacts::add);
        }
        for (Path a : artifacts) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(a)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
            }
            sums.put(copy.relativize(a).toString(), HexFormat.of().formatHex(sha.digest()));
        }
        return sums;
    }
}
