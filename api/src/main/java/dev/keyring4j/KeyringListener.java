package dev.keyring4j;

import java.time.Duration;
import java.util.Objects;

/**
 * Receives one call per operation on every store {@link Keyring} returns, so metrics code can
 * count rate, errors and duration without keyring4j depending on a metrics library. Register
 * with {@link Keyring#addListener(KeyringListener)}.
 *
 * <p>An {@link Operation} carries the backend id, the operation name, the outcome and the
 * duration: never a secret, and never a service or account name. Listeners are called on the
 * thread that ran the operation, after it finished; they must be quick and must not throw (a
 * throwing listener is ignored, it never changes the outcome of the operation).
 */
@FunctionalInterface
public interface KeyringListener {

    /** Called after every store operation. */
    void operationCompleted(Operation operation);

    /** How a store operation ended. */
    enum Outcome {
        /** Completed; a read found the credential, a write stored it, a delete removed it. */
        SUCCESS,
        /** Completed, but a read found nothing or a delete had nothing to remove. */
        NOT_FOUND,
        /** Threw; {@link Operation#errorType()} names the exception class. */
        ERROR
    }

    /**
     * One completed store operation.
     *
     * @param backend   the store's id, e.g. {@code kernel} or {@code chain[kernel,env]}
     * @param operation {@code get}, {@code set}, {@code set-ttl}, {@code delete}, {@code find}, {@code list}, {@code list-all}
     * @param outcome   how it ended
     * @param errorType the simple name of the exception class when {@code outcome} is {@link Outcome#ERROR}, else empty
     * @param duration  wall-clock time the operation took
     */
    record Operation(String backend, String operation, Outcome outcome, String errorType, Duration duration) {
        public Operation {
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(operation, "operation");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(errorType, "errorType");
            Objects.requireNonNull(duration, "duration");
        }
    }
}
