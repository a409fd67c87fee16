/// Builds the opsource provider. Not in this build yet.
func makeOpSourceProvider(_ context: ProviderContext) throws(DriverError) -> any CloudProvider {
    throw .config(
        "\(context.config.location(of: "provider")): provider opsource is not available in this build")
}
