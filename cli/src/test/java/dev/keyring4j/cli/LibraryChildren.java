package dev.keyring4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Commands that run {@link LibraryChild} in its own JVM, on the class path with the built jar (every
 * backend, as an application would have them) and a directory holding only that class, so nothing
 * else of the test classes (no test providers) is on the child's class path.
 */
final class LibraryChildren {
    private final Path classes;

    private LibraryChildren(Path classes) {
        this.classes = classes;
    }

    /** Copies {@link LibraryChild}'s class file under {@code dir}. */
    static LibraryChildren in(Path dir) throws IOException {
        Path classes = dir.resolve("library-child");
        Path target = classes.resolve(LibraryChild.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(target.getParent());
        try (InputStream in = LibraryChild.class.getResourceAsStream(LibraryChild.class.getSimpleName() + ".class")) {
            if (in == null) throw new IllegalStateException("no class file for " + LibraryChild.class);
            Files.copy(in, target);
        }
        return new LibraryChildren(classes);
    }

    /** {@code java -cp keyring4j.jar:<dir> dev.keyring4j.cli.LibraryChild args…} */
    List<String> command(String... args) {
        List<String> cmd = Child.cmd(Processes.java().toString(), "-cp",
                System.getProperty("keyring4j.cli.jar") + java.io.File.pathSeparator + classes, LibraryChild.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
