package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.testkit.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The completion scripts the build generates from the picocli model (BuildDocs), loaded by the real shells:
 * bash completes a subcommand and an option; zsh, driven through a pseudo-terminal (zsh/zpty) with the
 * {@code _keyring4j} file on its {@code fpath} as {@code /usr/share/zsh/vendor-completions} is, turns
 * {@code keyring4j cle<TAB>} into {@code keyring4j clear} without an error.
 */
class CompletionIT {
    @TempDir
    Path dir;

    private static Path docs() {
        return Distributions.target().resolve("docs");
    }

    @Test
    void bashCompletesSubcommandsAndOptionsFromTheModel() throws Exception {
        Path bash = Prerequisites.requireProgram("bash");
        String script = docs().resolve("keyring4j.bash").toString();
        Processes.Result r = Distributions.ok(List.of(bash.toString(), "-c", "source '" + script + "'; "
                + "COMP_WORDS=(keyring4j cl); COMP_CWORD=1; COMP_LINE='keyring4j cl'; COMP_POINT=12; _complete_keyring4j keyring4j cl keyring4j 2>/dev/null;"
                + " printf '%s\\n' \"${COMPREPLY[@]}\"; echo --;"
                + "COMP_WORDS=(keyring4j list --j); COMP_CWORD=2; COMP_LINE='keyring4j list --j'; COMP_POINT=18; _complete_keyring4j keyring4j --j list 2>/dev/null;"
                + " printf '%s\\n' \"${COMPREPLY[@]}\""), Map.of(), null);
        String[] parts = r.out().split("--\n", 2);
        assertEquals(List.of("clear"), parts[0].lines().map(String::strip).toList(), r.out());
        assertEquals(List.of("--json"), parts[1].lines().map(String::strip).toList(), r.out());
    }

    @Test
    void zshCompletesASubcommandThroughItsVendorCompletionFile() throws Exception {
        Path zsh = Prerequisites.requireProgram("zsh");
        Path fpath = Files.createDirectories(dir.resolve("vendor-completions"));
        Files.copy(docs().resolve("_keyring4j"), fpath.resolve("_keyring4j"));
        Path driver = dir.resolve("drive.zsh");
        // an interactive zsh on a pseudo-terminal, as a user's: compinit finds _keyring4j on fpath, TAB completes
        Files.writeString(driver, String.join("\n",
                "zmodload zsh/zpty",
                "zpty z 'TERM=dumb zsh -f -i'",
                "zpty -w z \"PS1='> '; fpath=(" + fpath + " \\$fpath); autoload -U compinit; compinit -u -D; print compdef=\\$_comps[keyring4j]\"",
                "zpty -w -n z $'keyring4j cle\\t'",
                "sleep 2",
                "zpty -w -n z $'\\n'",
                "sleep 1",
                "out=''",
                "while zpty -r -t z line; do out+=\"$line\"; done",
                "print -r -- \"$out\"",
                "zpty -d z",
                ""));
        Processes.Result r = Distributions.ok(List.of("timeout", "60", zsh.toString(), "-f", driver.toString()), Map.of("HOME", dir.toString()), null);
        String out = r.out().replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "");
        assertTrue(out.contains("compdef=_keyring4j"), "compinit maps keyring4j to _keyring4j: " + out);
        assertTrue(out.contains("keyring4j clear "), "TAB completed 'cle' to 'clear': " + out);
        assertFalse(out.contains("command not found: compopt") || out.contains("_keyring4j:"), "no error from the completion: " + out);
    }
}
