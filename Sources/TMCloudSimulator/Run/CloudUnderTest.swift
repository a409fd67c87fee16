/// The cloud a run drives: where the driver runs go, and what the cloud can tell about
/// itself afterwards. The in-process model cloud, an emulated cloud with the real driver,
/// and a real account each provide one.
public protocol CloudUnderTest: AnyObject {
    /// `digitalocean`, `opsource`, `openstack`, or a description of the real account.
    var name: String { get }
    /// How the simulator runs the driver for this cloud.
    var transport: any DriverTransport { get }
    /// The Cloud Credentials object name passed as `--cloudcreds`.
    var cloudCredentials: String { get }
    /// Names of nodes starting with `prefix` that the cloud still holds; nil when the
    /// cloud cannot tell (a real account: the final status run is used instead).
    func leftovers(prefix: String) -> [String]?
    /// API requests the cloud received, by kind; nil when it keeps no log.
    func apiCalls() -> [String: Int]?
    /// Arranges the cloud's own faults of a plan (`boot_fail`); driver-run faults are
    /// injected in front of the transport, and `vanish` by the simulation.
    func schedule(_ faults: SimulatedFaults)
    /// Stops servers and removes temporary files.
    func shutdown()
}
