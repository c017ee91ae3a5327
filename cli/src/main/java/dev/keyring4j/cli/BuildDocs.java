package dev.keyring4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes the man page {@code keyring4j.1} and the bash and zsh completion scripts from the picocli model
 * of the command, at build time ({@code cli/pom.xml}, phase prepare-package), so neither can drift from
 * the command: every subcommand, option and parameter appears because the model has it.
 * {@code java -cp keyring4j.jar dev.keyring4j.cli.BuildDocs DIR VERSION} writes {@code DIR/keyring4j.1},
 * {@code DIR/keyring4j.bash} and {@code DIR/_keyring4j}. It is never part of a user's command.
 */
public final class BuildDocs {
    private BuildDocs() {
    }

    /**
     * Writes the three files.
     *
     * @param args the output directory and the version to print in the man page's footer
     * @throws IOException when a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        String version = args[1];
        Files.createDirectories(dir);
        CommandLine cl = Main.commandLine(new Main(), null);
        Files.writeString(dir.resolve("keyring4j.1"), manPage(cl, version), StandardCharsets.UTF_8);
        String bash = AutoComplete.bash("keyring4j", cl);
        Files.writeString(dir.resolve("keyring4j.bash"), bash, StandardCharsets.UTF_8);
        // zsh autoloads _keyring4j from $fpath as the body of a function: it loads the bash script through
        // bashcompinit (the script's own zsh branch), then answers the completion request that loaded it
        Files.writeString(dir.resolve("_keyring4j"), "#compdef keyring4j\n"
                + "# generated from the keyring4j command's picocli model; the bash script, run through zsh's bashcompinit\n"
                // the script's zsh branch aliases compopt, but an alias made inside this function body is not
                // expanded in it; bashcompinit has no compopt: a no-op (only display hints are lost)
                + "(( $+functions[compopt] )) || compopt() { return 0; }\n"
                + bash + "\n_bash_complete -F _complete_keyring4j \"$@\"\n", StandardCharsets.UTF_8);
    }

    /** The man page in troff (man(7) macros). */
    static String manPage(CommandLine root, String version) {
        CommandSpec spec = root.getCommandSpec();
        StringBuilder m = new StringBuilder();
        m.append(".\\\" generated from the picocli model by dev.keyring4j.cli.BuildDocs; do not edit\n");
        m.append(".TH KEYRING4J 1 \"\" \"keyring4j ").append(esc(version)).append("\" \"User Commands\"\n");
        m.append(".SH NAME\nkeyring4j \\- ").append(esc(String.join(" ", spec.usageMessage().description()))).append('\n');
        m.append(".SH SYNOPSIS\n.B keyring4j\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n");
        m.append(".SH DESCRIPTION\nkeyring4j stores and reads credentials in the best store this machine offers (systemd credentials, the\n"
                + "Secret Service, the kernel keyring, an encrypted file, environment variables; when configured, an etcd cluster\n"
                + "or a token command) and says which one it used and why.\n"
                + "Secrets are read from stdin or a no\\-echo prompt, never from the command line, and are written only to stdout.\n");
        m.append(".SH OPTIONS\n");
        options(m, spec);
        m.append(".SH COMMANDS\n");
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            CommandSpec sub = e.getValue().getCommandSpec();
            if (!sub.name().equals(e.getKey())) continue; // an alias: listed with its command
            m.append(".SS ").append(esc(synopsis(sub))).append('\n');
            if (sub.aliases().length > 0) m.append("Also: ").append(esc(String.join(", ", sub.aliases()))).append(".\n.br\n");
            m.append(esc(String.join(" ", sub.usageMessage().description()))).append('\n');
            for (PositionalParamSpec p : sub.positionalParameters()) {
                if (p.hidden() || p.description().length == 0) continue;
                m.append(".TP\n.I ").append(esc(p.paramLabel())).append('\n').append(esc(String.join(" ", p.description()))).append('\n');
            }
            options(m, sub);
        }
        m.append(".SH EXIT STATUS\n");
        for (Map.Entry<String, String> e : spec.usageMessage().exitCodeList().entrySet()) {
            m.append(".TP\n.B ").append(esc(e.getKey().strip())).append('\n').append(esc(e.getValue())).append('\n');
        }
        m.append(".SH ENVIRONMENT\n");
        for (String[] v : List.of(
                new String[] {"KEYRING4J_BACKEND", "a backend id or comma list (a chain), below --backend and system properties"},
                new String[] {"KEYRING4J_CONFIG", "a keyring.properties file consulted above the user and system files"},
                new String[] {"KEYRING4J_PASSPHRASE", "the encrypted-file backend's passphrase, when it is protected by one"},
                new String[] {"KEYRING4J_<SERVICE>_<ACCOUNT>", "a credential of the env backend (keyring4j env-name prints the name)"},
                new String[] {"KEYRING4J_CDS", "off: the launcher maps no class data archive"})) {
            m.append(".TP\n.B ").append(esc(v[0])).append('\n').append(esc(v[1])).append('\n');
        }
        m.append(".SH FILES\n.TP\n.I ${XDG_CONFIG_HOME:\\-~/.config}/keyring4j/keyring.properties\nthe user's configuration\n"
                + ".TP\n.I /etc/keyring4j/keyring.properties\nthe system's configuration\n"
                + ".TP\n.I ${XDG_CACHE_HOME:\\-~/.cache}/keyring4j/\nthe launcher's class data archives (start\\-up speed only; safe to delete)\n");
        m.append(".SH SEE ALSO\n.BR git-credential (1),\n.BR keyctl (1),\n.BR secret-tool (1),\n.BR systemd-creds (1)\n.PP\n"
                + "https://github.com/keyring4j/keyring4j: README.md, docs/cli.md (every command and the \\-\\-json schemas),\n"
                + "docs/configuration.md, docs/troubleshooting.md, SECURITY.md\n");
        return m.toString();
    }

    private static String synopsis(CommandSpec sub) {
        StringBuilder s = new StringBuilder(sub.name());
        for (OptionSpec o : sub.options()) {
            if (o.hidden() || o.inherited() || o.usageHelp() || o.versionHelp()) continue;
            s.append(" [").append(o.longestName()).append(o.arity().max() > 0 ? " " + o.paramLabel() : "").append(']');
        }
        for (PositionalParamSpec p : sub.positionalParameters()) {
            if (p.hidden()) continue;
            String label = p.paramLabel() + (p.arity().isVariable() ? "..." : "");
            s.append(' ').append(p.arity().min() == 0 ? "[" + label + "]" : label);
        }
        return s.toString();
    }

    private static void options(StringBuilder m, CommandSpec spec) {
        for (OptionSpec o : spec.options()) {
            // a subcommand's copies of the root's options (--help, --version, --backend…) are listed once, under OPTIONS
            if (o.hidden() || (spec.parent() != null && (o.inherited() || o.usageHelp() || o.versionHelp()))) continue;
            m.append(".TP\n.B ").append(esc(String.join(", ", o.names())));
            if (o.arity().max() > 0) m.append(" \\fI").append(esc(o.paramLabel())).append("\\fR");
            m.append('\n').append(esc(String.join(" ", o.description()).replace("${DEFAULT-VALUE}", String.valueOf(o.defaultValue())))).append('\n');
        }
    }

    /** Text safe in troff: backslashes doubled, a leading dot or quote guarded, hyphens as minus signs. */
    static String esc(String s) {
        String t = s.replace("\\", "\\e").replace("-", "\\-").replace("%n", " ");
        if (t.startsWith(".") || t.startsWith("'")) t = "\\&" + t;
        return t.replace("\n.", "\n\\&.");
    }
}
