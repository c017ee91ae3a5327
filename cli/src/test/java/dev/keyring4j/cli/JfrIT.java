package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.testkit.Prerequisites;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar under a JFR recording: every store operation is a dev.keyring4j.Operation event
 * that `jfr print` reads, and neither the recording nor the logs contain the test's names or secret.
 */
class JfrIT {
    private static final String SERVICE = "jfrsvc-3e9d";
    private static final String ACCOUNT = "jfracct-b71c";
    private static final String SECRET = "jfr-s3cret-0a4f";

    @TempDir
    Path home;

    @Test
    void operationsAreRecordedWithoutNamesOrSecrets() throws Exception {
        Path jfr = Prerequisites.requireProgram(Path.of(System.getProperty("java.home"), "bin", "jfr").toString());
        Child child = new Child(home).with("KEYRING4J_BACKEND", "env", dev.keyring4j.env.EnvVariableNames.credential("KEYRING4J", SERVICE, ACCOUNT), SECRET);
        // the JDK's own events record command lines (the names given to `get`, here and in every process listed) and the environment
        // (the env backend's variables): docs/integrations.md says to switch them off, as this settings file does
        String jfc = Files.readString(Path.of(System.getProperty("java.home"), "lib", "jfr", "default.jfc"));
        for (String event : List.of("jdk.JVMInformation", "jdk.InitialSystemProperty", "jdk.InitialEnvironmentVariable", "jdk.SystemProcess")) {
            jfc = jfc.replaceFirst("(<event name=\"" + event.replace(".", "\\.") + "\">\\s*<setting name=\"enabled\">)true", "$1false");
        }
        Path settings = home.resolve("keyring4j.jfc");
        Files.writeString(settings, jfc);
        StringBuilder logs = new StringBuilder();
        int n = 0;
        for (List<String> args : List.of(List.of("get", SERVICE, ACCOUNT), List.of("get", SERVICE, "nobody"),
                List.of("set", SERVICE, ACCOUNT), List.of("list", SERVICE))) {
            Path recording = home.resolve("run" + (n++) + ".jfr");
            List<String> cmd = Child.cmd(Processes.java().toString(), "-XX:StartFlightRecording=filename=" + recording + ",dumponexit=true,settings=" + settings,
                    "-Xlog:jfr*=off", "-jar", System.getProperty("keyring4j.cli.jar"));
            cmd.addAll(args);
            Child.Result r = child.run(cmd, args.get(0).equals("set") ? "a-new-" + SECRET + "\n" : null);
            logs.append(r.err());
            if (args.get(0).equals("get") && args.get(2).equals(ACCOUNT)) {
                assertEquals(0, r.exit(), r.err());
                assertTrue(r.out().contains(SECRET), "the secret goes to stdout, by request");
            }
        }
        StringBuilder printed = new StringBuilder();
        StringBuilder raw = new StringBuilder();
        for (int i = 0; i < n; i++) {
            Path recording = home.resolve("run" + i + ".jfr");
            assertTrue(Files.isRegularFile(recording), recording.toString());
            Child.Result p = child.run(Child.cmd(jfr.toString(), "print", "--events", "dev.keyring4j.Operation", recording.toString()), null);
            assertEquals(0, p.exit(), p.err());
            printed.append(p.out());
            raw.append(new String(Files.readAllBytes(recording), StandardCharsets.ISO_8859_1));
        }
        String out = printed.toString();
        assertTrue(out.contains("dev.keyring4j.Operation"), out);
        assertTrue(out.contains("backend = \"env\""), out);
        assertTrue(out.contains("operation = \"get\"") && out.contains("outcome = \"SUCCESS\""), out);
        assertTrue(out.contains("outcome = \"NOT_FOUND\""), out);
        assertTrue(out.contains("operation = \"set\"") && out.contains("errorType = \"ReadOnlyStoreException\""), out);
        Files.writeString(home.resolve("jfr-print.txt"), out);
        for (String needle : List.of(SERVICE, ACCOUNT, SECRET)) {
            assertFalse(out.contains(needle), needle + " in jfr print output");
            assertFalse(raw.toString().contains(needle), needle + " in a recording");
        }
        assertFalse(logs.toString().contains(SECRET), "the secret in the logs: " + logs);
    }
}
