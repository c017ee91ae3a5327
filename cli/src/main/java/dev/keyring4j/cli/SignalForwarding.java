package dev.keyring4j.cli;

import java.io.IOException;
import java.util.ArrayList;
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
    private static Process child;
    private static final List<String> pending = new ArrayList<>();

    private SignalForwarding() {
    }

    /**
     * Takes over TERM, INT and HUP before the child starts, so that a signal arriving while it
     * starts is not lost (and does not kill keyring4j, orphaning the child): it is held and
     * delivered by {@link #forwardTo}.
     */
    static synchronized void install() {
        for (String name : SIGNALS) {
            try {
                previous.put(name, sun.misc.Signal.handle(new sun.misc.Signal(name), s -> received(name)));
            } catch (IllegalArgumentException e) {
                // this JVM does not let us handle it (e.g. -Xrs); the default action stays
            }
        }
    }

    /** From now on signals go to {@code started}; ones received meanwhile are delivered now. */
    static synchronized void forwardTo(Process started) {
        child = started;
        pending.forEach(name -> send(started, name));
        pending.clear();
    }

    private static synchronized void received(String name) {
        if (child == null) {
            pending.add(name);
        } else {
            send(child, name);
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
        child = null;
        pending.clear();
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
