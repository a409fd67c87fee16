/// What the OpSource provider remembers between runs, in
/// `$ZEUSHOME/zxtm/internal/tmcloud.<cloudcreds>.opsource` (mode 0600):
///
///     account https://api.example.net admin      who it was learned for
///     org 8a8f6abc2745...                         the organisation id (when not configured)
///     listing legacy                              serverWithState is missing: use deployed + pendingDeploy
///     delete stopped-first                        the API deletes only stopped servers
///     size 2b3c... medium                         sizeid given at create, by server id
///     image 52ed8b72... /oec/base/image/52ed...   an image's resource path, by image id
///     deleting 2b3c...                            powered off to be deleted once stopped
///     stop-seconds 12                             how long a power-off took last time
///
/// A file written for another apiHost or user is ignored, so a changed configuration
/// starts afresh. Losing the file costs one request (myaccount, or the listing probe),
/// an image lookup, and the sizeids of existing servers, which then read "". It also
/// loses the rare deletion still waiting for its server to stop (one whose power-off
/// outlasted destroynode's deadline): that server stays, powered off, until someone
/// deletes it.
struct OpSourceState: Sendable, Equatable {
    enum Listing: String, Sendable {
        /// `GET {org}/serverWithState`, paged.
        case serverWithState
        /// `GET {org}/server/deployed` and `GET {org}/server/pendingDeploy`.
        case legacy
    }

    var account: String
    var orgID: String?
    var listing: Listing?
    /// The API refused to delete a running server once: power off before deleting.
    var deleteNeedsStop = false
    var sizes: [String: String] = [:]
    /// Image resource paths by image id, so that a deploy needs no image lookup.
    var images: [String: String] = [:]
    /// Servers powered off by destroynode, to be deleted once they have stopped.
    var deleting: Set<String> = []
    /// Seconds from `?poweroff` until `?delete` was accepted, the last time: how long
    /// destroynode waits before its one `?delete`.
    var stopSeconds: Double?

    init(account: String) {
        self.account = account
    }

    /// The state in the file at `path`, or an empty one for `account` when the file
    /// is missing, unreadable or about another account.
    static func load(_ path: String, account: String) -> OpSourceState {
        var state = OpSourceState(account: account)
        guard let bytes = StateFile.read(path, limit: 256 << 10) else { return state }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        guard let first = lines.first, first == "account \(account)" else { return state }
        for line in lines.dropFirst() {
            let words = line.split(separator: " ", maxSplits: 2).map(String.init)
            switch (words.first, words.count) {
            case ("org", 2): state.orgID = words[1]
            case ("listing", 2): state.listing = Listing(rawValue: words[1])
            case ("delete", 2): state.deleteNeedsStop = words[1] == "stopped-first"
            case ("size", 3): state.sizes[words[1]] = words[2]
            case ("image", 3): state.images[words[1]] = words[2]
            case ("deleting", 2): state.deleting.insert(words[1])
            case ("stop-seconds", 2):
                state.stopSeconds = Double(words[1]).flatMap { $0 > 0 && $0 <= 600 ? $0 : nil }
            default: continue
            }
        }
        return state
    }

    var text: String {
        var lines = ["account \(account)"]
        if let orgID { lines.append("org \(orgID)") }
        if let listing { lines.append("listing \(listing.rawValue)") }
        if deleteNeedsStop { lines.append("delete stopped-first") }
        for (id, size) in sizes.sorted(by: { $0.key < $1.key }) { lines.append("size \(id) \(size)") }
        for (id, path) in images.sorted(by: { $0.key < $1.key }) { lines.append("image \(id) \(path)") }
        for id in deleting.sorted() { lines.append("deleting \(id)") }
        if let stopSeconds { lines.append("stop-seconds \(Double(Int(stopSeconds * 10)) / 10)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whether a value can be kept on one line of the file.
    static func storable(_ value: String) -> Bool {
        !value.isEmpty && !value.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F }
    }
}
