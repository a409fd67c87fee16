/// A real account: the driver with the user's own `ZEUSHOME` and Cloud Credentials. The
/// simulator cannot see the cloud's inside, so leftovers come from a last status run.
public final class RealAccountCloud: CloudUnderTest {
    public let name: String
    public let cloudCredentials: String
    public let transport: any DriverTransport

    public init(driver: String, zeusHome: String, cloudCredentials: String) {
        name = "real account (\(cloudCredentials))"
        self.cloudCredentials = cloudCredentials
        transport = SubprocessTransport(executable: driver, zeusHome: zeusHome)
    }

    public func leftovers(prefix: String) -> [String]? { nil }
    public func apiCalls() -> [String: Int]? { nil }
    public func schedule(_ faults: SimulatedFaults) {}
    public func shutdown() {}
}
