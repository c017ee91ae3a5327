package dev.keyring4j.cli;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Forwards SIGTERM, SIGINT and SIGHUP from this JVM to a child process for {@code exec}, through
 * {@code sun.misc.Signal} (module jdk.unsupported; Java has no supported API for this). The JVM's
 * own handlers are restored afterwards. Signals that cannot be handled (SIGKILL, SIGSTOP) or that
 * the JVM reserves (SIGQUIT, SIGUSR1…) are not forwarded.
 */
@SuppressWarnings("removal")
final class SignalForwarding {
    private static final List<String> SIGNALS = List.of("TERM", "INT", "HUP");
    private static final Map<String, sun.misc.SignalHandler> previous = new HashMap<>();

    private SignalForwarding() {
    }

    static synchronized void install(Process child) {
        for (String name : SIGNALS) {
            try {
                sun.misc.Signal sig = new sun.misc.Signal(name);
                previous.put(name, sun.misc.Signal.handle(sig, s -> send(child, name)));
            } catch (IllegalArgumentException e) {
                // this JVM does not let us handle it (e.g. -Xrs); the default action stays
            }
        }
    }

    static synchronized void uninstall() {
        previous.forEach((name, handler) -> {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), handler);
            } catch (IllegalArgumentException e) {
                // nothing to restore
            }
        });
        previous.clear();
    }

    private static void send(Process child, String name) {
        if (!child.isAlive()) return;
        if (name.equals("TERM")) {
            child.destroy(); // SIGTERM
            return;
        }
        try {
            // Java can send only TERM and KILL itself; kill(1) sends the others
            new ProcessBuilder("kill", "-" + name, Long.toString(child.pid())).inheritIO().start();
        } catch (IOException e) {
            System.err.println("keyring4j: could not forward SIG" + name + " to the child: " + e.getMessage());
        }
    }
}
