import CEmulatorTLS

/// A certificate chain and its key (PEM files) to serve HTTPS with.
///
/// The TLS is OpenSSL's, in the server itself: a relay in front of the emulators (a
/// Python one served the benchmark before) adds its own copying and thread hops to
/// every exchange, which every client in a comparison then pays alike.
public final class TLSIdentity: @unchecked Sendable {
    /// The OpenSSL context: read-only once loaded, so connections on any thread share it.
    let context: UnsafeMutableRawPointer

    public init(certificate: String, key: String) throws {
        var message = [CChar](repeating: 0, count: 512)
        guard let context = tmc_tls_context_new(certificate, key, &message, message.count) else {
            let text = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            throw TLSIdentityError(message: String(decoding: text, as: UTF8.self))
        }
        self.context = context
    }

    deinit { tmc_tls_context_free(context) }
}

public struct TLSIdentityError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
