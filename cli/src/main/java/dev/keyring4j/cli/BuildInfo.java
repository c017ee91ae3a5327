package dev.keyring4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code keyring4j --version}: the version and the git commit the command was built from, read from
 * {@code build-info.properties}, which the build writes (cli/src/build/build-info.sh). A build from a
 * tree without git says {@code commit unknown}.
 */
final class BuildInfo implements CommandLine.IVersionProvider {
    /** The properties the build wrote: {@code version}, {@code commit} (40 hex digits, {@code -dirty} when the tree had changes, or {@code unknown}). */
    static Properties read() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build-info.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the command's build-info.properties", e);
        }
        return p;
    }

    @Override
    public String[] getVersion() {
        Properties p = read();
        return new String[] {
            "keyring4j " + p.getProperty("version", "(version unknown)"),
            "commit " + p.getProperty("commit", "unknown"),
            "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
        };
    }
}
