package dev.keyring4j.cli;

import dev.keyring4j.Keyring;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code keyring4j config-reference}: every configuration key of every backend here, as Markdown. */
@Command(name = "config-reference", description = "Print every configuration key of every backend (type, default, description) as Markdown.")
final class ConfigReferenceCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Main.Streams.out.print(Keyring.configurationReference());
        return Main.OK;
    }
}
