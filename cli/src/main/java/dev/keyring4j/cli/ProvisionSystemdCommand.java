package dev.keyring4j.cli;

import dev.keyring4j.Secret;
import dev.keyring4j.systemdcreds.SystemdCredentials;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keyring4j provision-systemd SERVICE ACCOUNT --out FILE}: an encrypted credential the systemd-creds backend reads. */
@Command(name = "provision-systemd",
        description = {"Encrypt a secret read from stdin with systemd-creds under the name that get(SERVICE, ACCOUNT) reads,",
                "and print the LoadCredentialEncrypted= line to add to the service's unit file."})
final class ProvisionSystemdCommand implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    Main options;
    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;
    @Parameters(index = "1", paramLabel = "ACCOUNT")
    String account;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the encrypted credential (0600).")
    Path out;

    @Override
    public Integer call() throws Exception {
        try (Secret secret = Main.Set.readSecret(options)) {
            String line = SystemdCredentials.provision(service, account, secret, out);
            Main.Streams.out.println(line);
            return Main.OK;
        }
    }
}
