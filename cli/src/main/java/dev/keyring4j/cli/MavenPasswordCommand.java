package dev.keyring4j.cli;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyring4j maven-password SERVICE ACCOUNT}: the settings.xml {@code <password>} line that
 * keyring4j-maven-extension turns into the secret stored under the names, printed only after checking
 * that the store holds a non-empty credential there (exit 1 otherwise). Nothing to encrypt: the line
 * names the credential, it holds no secret. Names are written with the extension's escape (a {@code /},
 * {@code %}, brace, bracket, {@code ,}, {@code =}, {@code $}, {@code & < > " '}, backslash or white
 * space inside a name becomes {@code %XX}, so the line is well-formed XML; the decoder is
 * {@code dev.keyring4j.maven.Reference}).
 */
@Command(name = "maven-password", description = {"Print the settings.xml <password> line that keyring4j-maven-extension reads from the store,",
        "after checking that SERVICE/ACCOUNT holds a credential (docs/integrations/maven.md)."})
final class MavenPasswordCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main options;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "the service, e.g. maven")
    String service;

    @Parameters(index = "1", paramLabel = "ACCOUNT", description = "the account, e.g. the server id private-repo")
    String account;

    @Option(names = "--maven", paramLabel = "3|4", defaultValue = "3",
            description = "the form for Maven 3.9 ({[type=keyring4j]…}, the default) or Maven 4 ({[name=keyring4j,version=4.0]…})")
    String maven;

    @Override
    public Integer call() {
        if (!maven.equals("3") && !maven.equals("4")) {
            Main.Streams.err.println("keyring4j: --maven takes 3 (Maven 3.9) or 4 (Maven 4), not '" + maven + "'");
            return Main.USAGE;
        }
        try (CredentialStore store = options.open()) {
            Optional<Secret> found = store.get(service, account);
            if (found.isEmpty()) return Main.notFound(store, service, account, "; store it first with `keyring4j set SERVICE ACCOUNT`");
            try (Secret secret = found.get()) {
                if (secret.length() == 0) {
                    Main.Streams.err.println("keyring4j: the credential for service '" + service + "' account '" + account + "' in " + store.id()
                            + " is empty, and the extension never gives Maven an empty password; store the real one with `keyring4j set`");
                    return Main.NOT_FOUND;
                }
            }
        }
        String attributes = maven.equals("3") ? "[type=keyring4j]" : "[name=keyring4j,version=4.0]";
        Main.Streams.out.println("<password>{" + attributes + payload(service, account) + "}</password>");
        if (maven.equals("3") && System.getProperty("settings.security") == null) {
            Path security = Path.of(System.getProperty("user.home"), ".m2", "settings-security.xml");
            if (!Files.exists(security)) {
                Main.Streams.err.println("keyring4j: note: Maven 3.9 asks a decryptor only when " + security
                        + " exists; create it with the content <settingsSecurity/> (docs/integrations/maven.md#troubleshooting)");
            }
        }
        return Main.OK;
    }

    /** {@code SERVICE/ACCOUNT} with the extension's escape. */
    static String payload(String service, String account) {
        return encode(service) + "/" + encode(account);
    }

    private static String encode(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(cp -> {
            boolean escape = "%/{}[],=$&<>\"'\\".indexOf(cp) >= 0 || Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp);
            if (!escape) {
                out.appendCodePoint(cp);
                return;
            }
            for (byte b : Character.toString(cp).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append("0123456789ABCDEF".charAt((b >> 4) & 15)).append("0123456789ABCDEF".charAt(b & 15));
            }
        });
        return out.toString();
    }
}
