/*
 * The libsecret peer of bench/secretservice-peers.sh: N x secret_password_lookup_sync and
 * N x secret_password_store_sync of one (service, username) item, the way a C application
 * uses libsecret. Prints "get <ops/s>" and "set <ops/s>".
 *
 *   gcc -O2 -o libsecret_lookup libsecret_lookup.c $(pkg-config --cflags --libs libsecret-1)
 *   ./libsecret_lookup <service> <username> <iterations>
 */
#include <libsecret/secret.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* the attributes Python keyring, secret-tool and keyring4j use; match on them only */
static const SecretSchema SCHEMA = {
    "org.freedesktop.Secret.Generic", SECRET_SCHEMA_DONT_MATCH_NAME,
    {
        {"service", SECRET_SCHEMA_ATTRIBUTE_STRING},
        {"username", SECRET_SCHEMA_ATTRIBUTE_STRING},
        {NULL, 0},
    }
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s <service> <username> <iterations>\n", argv[0]);
        return 2;
    }
    const char *service = argv[1], *username = argv[2];
    int n = atoi(argv[3]);
    GError *error = NULL;

    /* warm-up: the first call opens the connection and the session, as in any long-lived process */
    secret_password_store_sync(&SCHEMA, SECRET_COLLECTION_DEFAULT, "bench", "bench-secret-value-0123456789", NULL, &error,
                               "service", service, "username", username, NULL);
    if (error) { fprintf(stderr, "store: %s\n", error->message); return 1; }

    double t0 = now();
    for (int i = 0; i < n; i++) {
        gchar *pw = secret_password_lookup_sync(&SCHEMA, NULL, &error, "service", service, "username", username, NULL);
        if (error || !pw) { fprintf(stderr, "lookup failed: %s\n", error ? error->message : "not found"); return 1; }
        secret_password_free(pw);
    }
    double get = n / (now() - t0);

    t0 = now();
    for (int i = 0; i < n; i++) {
        secret_password_store_sync(&SCHEMA, SECRET_COLLECTION_DEFAULT, "bench", "bench-secret-value-0123456789", NULL, &error,
                                   "service", service, "username", username, NULL);
        if (error) { fprintf(stderr, "store: %s\n", error->message); return 1; }
    }
    double set = n / (now() - t0);
    printf("get %.1f\nset %.1f\n", get, set);
    return 0;
}
