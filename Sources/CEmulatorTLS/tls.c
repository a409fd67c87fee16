#include "CEmulatorTLS.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

/// Why the last OpenSSL call failed, in words ("No such file or directory", "key values mismatch").
static const char *last_reason(void) {
    unsigned long code = ERR_peek_error();  // the first: the cause, not the layers above it
    const char *text = ERR_SYSTEM_ERROR(code) ? strerror(ERR_GET_REASON(code)) : ERR_reason_error_string(code);
    return text ? text : "unknown error";
}

void *tmc_tls_context_new(const char *certificate, const char *key, char *error, size_t error_size) {
    SSL_CTX *context = SSL_CTX_new(TLS_server_method());
    if (context == NULL) {
        snprintf(error, error_size, "cannot create a TLS context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    // A client that closes without close_notify has simply gone away.
    SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (SSL_CTX_use_certificate_chain_file(context, certificate) != 1) {
        snprintf(error, error_size, "cannot read the certificate %s: %s", certificate, last_reason());
        ERR_clear_error();
        SSL_CTX_free(context);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(context) != 1) {
        snprintf(error, error_size, "cannot use the key %s with %s: %s", key, certificate, last_reason());
        ERR_clear_error();
        SSL_CTX_free(context);
        return NULL;
    }
    return context;
}

void tmc_tls_context_free(void *context) { SSL_CTX_free(context); }

void *tmc_tls_accept(void *context, int fd) {
    SSL *session = SSL_new(context);
    if (session == NULL) return NULL;
    if (SSL_set_fd(session, fd) != 1) {
        SSL_free(session);
        return NULL;
    }
    for (;;) {
        int done = SSL_accept(session);
        if (done == 1) return session;
        if (SSL_get_error(session, done) == SSL_ERROR_WANT_READ && errno == EINTR) continue;
        ERR_clear_error();
        SSL_free(session);
        return NULL;
    }
}

long tmc_tls_read(void *session, void *buffer, size_t size) {
    int want = size > 0x7fffffff ? 0x7fffffff : (int)size;
    for (;;) {
        int got = SSL_read(session, buffer, want);
        if (got > 0) return got;
        int reason = SSL_get_error(session, got);
        if (reason == SSL_ERROR_ZERO_RETURN) return 0;
        // A blocking socket "wants to read" again only after EINTR or its receive timeout.
        if (reason == SSL_ERROR_WANT_READ && errno == EINTR) continue;
        ERR_clear_error();
        return -1;
    }
}

int tmc_tls_write(void *session, const void *buffer, size_t size) {
    const char *next = buffer;
    while (size > 0) {
        int chunk = size > 0x40000000 ? 0x40000000 : (int)size;
        int sent = SSL_write(session, next, chunk);
        if (sent <= 0) {
            if (SSL_get_error(session, sent) == SSL_ERROR_WANT_WRITE && errno == EINTR) continue;
            ERR_clear_error();
            return 0;
        }
        next += sent;
        size -= (size_t)sent;
    }
    return 1;
}

void tmc_tls_free(void *session, int notify) {
    if (notify) SSL_shutdown(session);
    ERR_clear_error();
    SSL_free(session);
}
