/** JMH benchmarks, one class per backend; peers are run side by side by the scripts in bench/. */
package dev.keyring4j.bench;
