// OpenSSL for the emulators' HTTPS server (tmcloud-sim serve --tls-cert), in a few
// calls that Swift can use directly: OpenSSL's own API leans on macros that Swift
// cannot import. Only the emulated clouds link this; the driver never does.
#ifndef TMCLOUD_CEMULATORTLS_H
#define TMCLOUD_CEMULATORTLS_H

#include <stddef.h>

/// A server context holding a PEM certificate chain and its key, or NULL with a
/// message in `error`. Shared by every connection; freed with tmc_tls_context_free.
void *tmc_tls_context_new(const char *certificate, const char *key, char *error, size_t error_size);
void tmc_tls_context_free(void *context);

/// The server side of a handshake on a connected socket: a session, or NULL when the
/// handshake failed or timed out (the socket is left to the caller).
void *tmc_tls_accept(void *context, int fd);

/// Bytes read (> 0), 0 when the peer closed, -1 on an error or a receive timeout.
long tmc_tls_read(void *session, void *buffer, size_t size);

/// Writes all `size` bytes: 1 when done, 0 when the connection failed.
int tmc_tls_write(void *session, const void *buffer, size_t size);

/// Frees the session, after sending close_notify when `notify` is non-zero (a reply
/// cut off on purpose closes without it). The socket is left to the caller.
void tmc_tls_free(void *session, int notify);

#endif
