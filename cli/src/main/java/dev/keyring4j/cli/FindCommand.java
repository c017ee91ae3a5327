package dev.keyring4j.cli;

import dev.keyring4j.Credential;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyring4j find SERVICE}: the account and secret of any one account of a service (a token and
 * its id: {@code CredentialStore.find}). The account is the first line of stdout, the secret follows as
 * {@code get} prints it; {@code --json} prints {@code {"store","service","account","secret"}} instead.
 */
@Command(name = "find", description = {"Print the account and the secret of any one account of SERVICE (a token and its id).",
        "The account is the first line, the secret follows. Exit 1 when the service has none.",
        "--json: {\"store\":ID,\"service\":S,\"account\":A,\"secret\":SECRET} (docs/cli.md)."})
final class FindCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main options;
    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;
    @Option(names = "--json", description = "One JSON object on stdout (schema: docs/cli.md); the secret must be UTF-8 text.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        try (CredentialStore store = options.open()) {
            Optional<Credential> found = store.find(service);
            if (found.isEmpty()) {
                Main.Streams.err.println("keyring4j: no credential for service '" + service + "' in " + store.id());
                return Main.NOT_FOUND;
            }
            Credential c = found.get();
            try (Secret s = c.secret()) {
                byte[] bytes = s.asBytes();
                try {
                    if (json) {
                        Main.Streams.out.println(Json.value(JsonOutput.object("store", store.id(), "service", c.service(),
                                "account", c.account(), "secret", strictUtf8(bytes))));
                    } else {
                        Main.Streams.out.println(c.account());
                        Main.Streams.out.write(bytes);
                        Main.Streams.out.write('\n');
                    }
                } finally {
                    Arrays.fill(bytes, (byte) 0);
                }
            }
            Main.Streams.out.flush();
            return Main.OK;
        }
    }

    /** The secret as text, or a refusal: JSON cannot carry bytes that are not UTF-8, and replacing them would change the secret. */
    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the secret is not UTF-8 text, which JSON cannot carry unchanged: use find without --json");
        }
    }
}
