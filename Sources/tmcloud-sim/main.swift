import TMCloudSimulator

#if canImport(Glibc)
import Glibc
#endif

exit(SimulatorApp.main(Array(CommandLine.arguments.dropFirst())))
