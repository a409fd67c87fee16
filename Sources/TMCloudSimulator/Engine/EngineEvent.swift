/// Event tags of the Traffic Manager (its SOAP `AlertCallbackTag` list) that the
/// simulator raises, with the meaning the simulator gives them.
public enum EventTag: String, Sendable, Equatable, CaseIterable {
    case autoNodeCreationStarted = "pools_autonodecreationstarted"
    case autoNodeCreationComplete = "pools_autonodecreationcomplete"
    case autoNodeDestroyed = "pools_autonodedestroyed"
    case autoNodeDestructionComplete = "pools_autonodedestructioncomplete"
    case autoNodeStatusChange = "pools_autonodestatuschange"
    case autoNodeDisappeared = "pools_autonodedisappeared"
    case autoNodeExisted = "pools_autonodeexisted"
    case wrongImageID = "pools_autoscalewrongimageid"
    case wrongSizeID = "pools_autoscalewrongsizeid"
    case hysteresisCantGrow = "pools_autoscalinghysteresiscantgrow"
    case hysteresisCantShrink = "pools_autoscalinghysteresiscantshrink"
    case refractory = "pools_autoscaledpoolrefractory"
    case hitRoof = "pools_autoscalinghitroof"
    case hitFloor = "pools_autoscalinghitfloor"
    case poolTooSmall = "pools_autoscaledpooltoosmall"
    case poolTooBig = "pools_autoscaledpooltoobig"
    case cannotShrinkEmptyPool = "pools_cannotshrinkemptypool"
    case resuscitatePool = "pools_autoscalingresuscitatepool"
    case poolConfUpdate = "pools_autoscalepoolconfupdate"
    case changeProcessFailure = "pools_autoscalingchangeprocessfailure"
    case changeProcessHanging = "pools_apichangeprocesshanging"
    case statusProcessHanging = "cloudcredentials_apistatusprocesshanging"
    case responseParseError = "cloudcredentials_autoscaleresponseparseerror"
    case statusUpdateError = "cloudcredentials_autoscalestatusupdateerror"

    /// Problems, as opposed to the autoscaler's ordinary work.
    public var isWarning: Bool {
        switch self {
        case .autoNodeDisappeared, .wrongImageID, .wrongSizeID, .poolTooSmall, .poolTooBig,
            .changeProcessFailure, .changeProcessHanging, .statusProcessHanging, .responseParseError,
            .statusUpdateError, .hitRoof:
            return true
        default:
            return false
        }
    }
}

/// One line of the event log.
public struct EngineEvent: Sendable, Equatable, CustomStringConvertible {
    /// Simulated seconds since the start of the run.
    public var time: Double
    public var tag: EventTag
    /// The node concerned, when there is one.
    public var node: String?
    public var message: String

    public init(time: Double, tag: EventTag, node: String? = nil, message: String) {
        self.time = time
        self.tag = tag
        self.node = node
        self.message = message
    }

    public var description: String {
        "[\(SimTime.clock(time))] \(tag.rawValue)\(node.map { " \($0)" } ?? ""): \(message)"
    }
}

/// Formatting of simulated seconds.
public enum SimTime {
    /// `d+HH:MM:SS` (the day only from the second day on).
    public static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        let days = total / 86400
        let h = (total % 86400) / 3600
        let m = (total % 3600) / 60
        let s = total % 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return (days > 0 ? "\(days)+" : "") + "\(two(h)):\(two(m)):\(two(s))"
    }
}
