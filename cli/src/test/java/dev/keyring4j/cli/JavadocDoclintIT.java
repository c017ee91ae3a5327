package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The -javadoc.jar is built with doclint on and warnings fatal: a copy of the sources whose api module has
 * one broken {@code {@link}} fails {@code mvn package}, naming the file and "reference not found". (The
 * real tree passing is every build's own javadoc step.) About 20 s: the api module alone, offline.
 */
class JavadocDoclintIT {
    @TempDir
    Path dir;

    @Test
    void aBrokenLinkFailsTheBuild() throws Exception {
        Path copy = SourceTree.copy(dir.resolve("tree"));
        Path diagnosis = copy.resolve("api/src/main/java/dev/keyring4j/Diagnosis.java");
        String source = Files.readString(diagnosis, StandardCharsets.UTF_8);
        String broken = source.replace("/** Copies the lists. */", "/** Copies the lists; see {@link #noSuchMethod()}. */");
        assertNotEquals(source, broken, "the javadoc line this test breaks is still in Diagnosis.java");
        Files.writeString(diagnosis, broken, StandardCharsets.UTF_8);
        int exit = SourceTree.mvn(copy, Map.of(), "package", "-DskipTests", "-Dfuzzing.skip=true", "-pl", "api");
        String log = SourceTree.readLog(copy);
        assertNotEquals(0, exit, "the build with a broken {@link} succeeded:\n" + log);
        assertTrue(log.contains("Diagnosis.java:") && log.contains("reference not found") && log.contains("maven-javadoc-plugin"), log);
    }
}
