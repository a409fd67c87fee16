/// One resource that an emulator holds now.
public struct InventoryItem: Sendable, Equatable {
    /// `server`, `droplet` or `floatingip`.
    public var kind: String
    public var id: String
    public var name: String
    /// Made by a create request (not seeded by a test).
    public var createdThroughAPI: Bool
    /// A delete (or release) was asked for, yet the resource still exists.
    public var destroyRequested: Bool
}

/// What exists now in one emulated cloud, to prove that nothing was left behind.
public struct Inventory: Sendable {
    public var items: [InventoryItem]

    /// Everything created through the API that still exists.
    public var createdThroughAPI: [InventoryItem] { items.filter(\.createdThroughAPI) }

    /// Created through the API, asked to be destroyed, still there (e.g. inside a
    /// deleting window, or never actually deleted).
    public var destroyRequestedButPresent: [InventoryItem] {
        items.filter { $0.createdThroughAPI && $0.destroyRequested }
    }

    public func of(kind: String) -> [InventoryItem] { items.filter { $0.kind == kind } }
}
