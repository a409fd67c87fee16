/// Builds the openstack provider. Not in this build yet.
func makeOpenStackProvider(_ context: ProviderContext) throws(DriverError) -> any CloudProvider {
    throw .config(
        "\(context.config.location(of: "provider")): provider openstack is not available in this build")
}
