package dev.keyring4j;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The JFR event {@code dev.keyring4j.Operation}: one per store operation. Fields are the backend
 * id, the operation, the outcome and the error type; duration is the event's own. Never a secret,
 * never a service or account name.
 */
@Name("dev.keyring4j.Operation")
@Label("Credential Store Operation")
@Category({"keyring4j"})
@Description("A keyring4j credential store operation: backend, operation, outcome and duration (no names, no secrets)")
@StackTrace(false)
final class OperationEvent extends jdk.jfr.Event {
    @Label("Backend")
    String backend;

    @Label("Operation")
    String operation;

    @Label("Outcome")
    String outcome;

    @Label("Error Type")
    String errorType;
}
