extension StringProtocol {
    /// The first occurrence of `needle`, compared byte by byte as UTF-8.
    ///
    /// The standard library's `firstRange(of:)` and `contains(_:)` for strings compare
    /// by Character and live in the string-processing library, which brings 9,000
    /// functions (its regex parser among them) into the driver for four call sites.
    /// URLs, links and secrets are matched here exactly as they are written; a match
    /// starts and ends on scalar boundaries, since `needle` is valid UTF-8.
    public func firstUTF8Range(of needle: some StringProtocol) -> Range<String.Index>? {
        let bytes = utf8
        let wanted = needle.utf8
        guard let first = wanted.first else { return nil }
        var start = bytes.startIndex
        while let candidate = bytes[start...].firstIndex(of: first) {
            var here = candidate
            var there = wanted.startIndex
            while there != wanted.endIndex, here != bytes.endIndex, bytes[here] == wanted[there] {
                bytes.formIndex(after: &here)
                wanted.formIndex(after: &there)
            }
            if there == wanted.endIndex { return candidate..<here }
            start = bytes.index(after: candidate)
        }
        return nil
    }

    /// Whether `needle` occurs, compared byte by byte as UTF-8 (see `firstUTF8Range`).
    public func containsUTF8(_ needle: some StringProtocol) -> Bool {
        firstUTF8Range(of: needle) != nil
    }
}
