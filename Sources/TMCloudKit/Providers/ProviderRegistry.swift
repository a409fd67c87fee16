/// Builds the provider a configuration names. Each provider's folder has its factory.
public enum ProviderRegistry {
    /// The provider for `context.config.provider`.
    public static func make(_ context: ProviderContext) throws(DriverError) -> any CloudProvider {
        switch context.config.provider {
        case .opsource: return try makeOpSourceProvider(context)
        case .digitalocean: return try makeDigitalOceanProvider(context)
        case .openstack: return try makeOpenStackProvider(context)
        }
    }
}
