/// Emulated clouds served in-process, with the real driver run against them.
public enum EmulatedClouds {
    public enum Outcome {
        case ready(any CloudUnderTest)
        case unavailable(String)
    }

    /// The clock a run shares with the emulated cloud.
    public static func makeClock() -> any SimulationClock { ManualClock() }

    /// Starts the scenario's emulated cloud and checks that `driver` can drive it.
    public static func make(_ scenario: Scenario, driver: String, clock: any SimulationClock) -> Outcome {
        .unavailable("emulated clouds are not in this build")
    }

    /// `tmcloud-sim serve`.
    public static func serve(port: Int) -> Int32 {
        print("tmcloud-sim: serve: emulated clouds are not in this build")
        return 1
    }
}
