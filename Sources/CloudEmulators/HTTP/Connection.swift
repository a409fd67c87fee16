import CEmulatorTLS
import Glibc

/// One accepted socket, read and written in the clear or through TLS.
final class Connection {
    let fd: Int32
    private let session: UnsafeMutableRawPointer?

    /// A plain connection, or, with `identity`, the server side of a TLS handshake
    /// (nil when the handshake fails or the client sends nothing in time).
    init?(fd: Int32, identity: TLSIdentity?) {
        self.fd = fd
        guard let identity else {
            session = nil
            return
        }
        // OpenSSL writes with write(2), which raises SIGPIPE when the client has gone;
        // blocked on this thread, the write fails with EPIPE instead.
        var pipe = sigset_t()
        sigemptyset(&pipe)
        sigaddset(&pipe, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipe, nil)
        guard let session = tmc_tls_accept(identity.context, fd) else { return nil }
        self.session = session
    }

    /// Reads what has arrived into `buffer`: the count, 0 when the peer closed, or -1
    /// on an error or the receive timeout.
    func receive(into buffer: inout [UInt8]) -> Int {
        buffer.withUnsafeMutableBytes { bytes in
            if let session { return tmc_tls_read(session, bytes.baseAddress, bytes.count) }
            while true {
                let got = recv(fd, bytes.baseAddress, bytes.count, 0)
                if got < 0 && errno == EINTR { continue }
                return got
            }
        }
    }

    /// Writes everything in one go where the kernel takes it; false when the peer has gone.
    func write(_ bytes: [UInt8]) -> Bool {
        if let session {
            return bytes.withUnsafeBytes { tmc_tls_write(session, $0.baseAddress, $0.count) == 1 }
        }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Ends the TLS session (with close_notify unless the reply was cut on purpose);
    /// the socket itself is closed by the server.
    func finish(cleanly: Bool) {
        if let session { tmc_tls_free(session, cleanly ? 1 : 0) }
    }
}
