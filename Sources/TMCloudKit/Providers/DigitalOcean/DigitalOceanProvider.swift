/// Builds the digitalocean provider. Not in this build yet.
func makeDigitalOceanProvider(_ context: ProviderContext) throws(DriverError) -> any CloudProvider {
    throw .config(
        "\(context.config.location(of: "provider")): provider digitalocean is not available in this build")
}
