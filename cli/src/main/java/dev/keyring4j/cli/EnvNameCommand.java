package dev.keyring4j.cli;

import dev.keyring4j.env.EnvVariableNames;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyring4j env-name SERVICE [ACCOUNT]}: the environment variable the env backend reads for a
 * name, so an operator never has to encode one by hand (a CI job's token for a git host, say).
 */
@Command(name = "env-name", description = {"Print the environment variable the env backend reads for SERVICE (its token, with _ID beside it)",
        "or for SERVICE and ACCOUNT; append _FILE to name a file holding the value instead."})
final class EnvNameCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SERVICE", description = "the service, e.g. git:https://git.example.com")
    String service;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ACCOUNT", description = "the account; without it, the service's token")
    String account;

    @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = "KEYRING4J", description = "env.prefix (default ${DEFAULT-VALUE})")
    String prefix;

    @Override
    public Integer call() {
        if (account == null) {
            String token = EnvVariableNames.token(prefix, service);
            Main.Streams.out.println(token);
            Main.Streams.out.println(token + "_ID");
        } else {
            Main.Streams.out.println(EnvVariableNames.credential(prefix, service, account));
        }
        return Main.OK;
    }
}
