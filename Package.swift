// swift-tools-version: 6.0
// tmcloud: a Cloud API driver for the Traffic Manager autoscaler, its emulated clouds
// and its simulator.
import PackageDescription

/// Where Debian, Ubuntu and RHEL keep libxml2's headers (pkg-config would also link
/// the library, which the driver loads on first use instead).
let libxml2Headers = "/usr/include/libxml2"

/// scripts/release-build.sh points this at a folder of linker scripts named like shared
/// libraries that name static archives instead, first on the release driver's library
/// path: `libstdc++.so` (the C++ runtime the static Swift runtime needs, rather than
/// about 3 million instructions of symbol relocation on every run) and `libcurl.so`
/// (libcurl built for HTTP and HTTPS only, with OpenSSL and zlib, rather than Debian's
/// libcurl.so and the 31 libraries it loads on every run).
let staticLibsDirectory = Context.environment["TMCLOUD_STATIC_LIBS_DIR"]

/// How the release driver is linked: libgcc inside it, by lld (which ships with the
/// toolchain). Its relocations stay RELA entries: packing them as RELR would save
/// about 0.1 million instructions a run, and would need glibc 2.36 where the binary
/// otherwise runs on 2.35 (Ubuntu 22.04); scripts/release.sh holds it to that.
///
/// The functions a run executes are placed together, in the order of
/// scripts/function-order.txt (scripts/function-order.sh writes it): a run maps the
/// pages its code is on, and the code it needs spread over the whole 6 MB text made
/// the binary a third of its peak RSS. Names the list has and the binary lacks are
/// skipped.
let releaseDriverLinkFlags = [
    "-Xclang-linker", "-static-libgcc", "-use-ld=lld",
    "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/scripts/function-order.txt",
    "-Xlinker", "--no-warn-symbol-ordering",
]

/// DWARF 4 debug information for the C shims: valgrind 3.19, which profiles the
/// binaries (docs/performance.md), cannot read tmcloud-sim once two C files carry DWARF 5.
let cDebugInfo = "-gdwarf-4"

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .unsafeFlags(["-Xcc", "-I\(libxml2Headers)"]),
]

/// The driver's modules: a section per function, so that the release link can place
/// the functions a run executes together (see releaseDriverLinkFlags).
let driverModule: [SwiftSetting] = strict + [.unsafeFlags(["-Xfrontend", "-function-sections"])]

let package = Package(
    name: "tmcloud",
    products: [
        .executable(name: "tmcloud", targets: ["tmcloud"]),
        .executable(name: "tmcloud-sim", targets: ["tmcloud-sim"]),
    ],
    targets: [
        // MARK: - C libraries of the system
        // libcurl's headers from libcurl4-openssl-dev. No pkg-config: its `-L` of the
        // system's library folder would come before the release driver's static one.
        .systemLibrary(name: "CCurl"),
        // libxml2 from its static archive, without ICU (see include/CLibXML2.h); its
        // xz and zlib readers come from their archives too, so that the release driver
        // needs no shared library beyond glibc's.
        .target(
            name: "CLibXML2", cSettings: [.unsafeFlags(["-I\(libxml2Headers)", cDebugInfo])],
            linkerSettings: [
                .unsafeFlags(["-Xlinker", "-l:libxml2.a", "-Xlinker", "-l:liblzma.a", "-Xlinker", "-l:libz.a"]),
                .linkedLibrary("m"),
            ]),
        // OpenSSL for the emulated clouds' HTTPS (tmcloud-sim serve --tls-cert): linked
        // into the emulators only, never into the driver.
        .target(
            name: "CEmulatorTLS", cSettings: [.unsafeFlags([cDebugInfo])],
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),

        // MARK: - The driver
        // JSON values, parser and writer: no Foundation, so the driver starts fast.
        .target(name: "TMCloudJSON", swiftSettings: driverModule, linkerSettings: [.linkedLibrary("m")]),
        // HTTP over libcurl, XML over libxml2, the retry policy: the only code that
        // touches the C libraries.
        .target(
            name: "TMCloudTransport", dependencies: ["CCurl", "CLibXML2", "TMCloudJSON"],
            swiftSettings: driverModule),
        // The driver protocol (argv, credentials, config, envelope, errors), the
        // provider protocol and the three providers.
        .target(
            name: "TMCloudKit", dependencies: ["TMCloudTransport", "TMCloudJSON"],
            swiftSettings: driverModule),
        // How the process starts: argv without the runtime's /proc/self/maps scan, and
        // freed memory kept for reuse (see argv.c and memory.c).
        .target(name: "CStartup"),
        .executableTarget(
            name: "tmcloud", dependencies: ["TMCloudKit", "CStartup"], swiftSettings: driverModule,
            linkerSettings: staticLibsDirectory.map { [.unsafeFlags(["-L\($0)"] + releaseDriverLinkFlags)] } ?? []),
        // Fuzz entry points for the parsers; scripts/fuzz.sh builds them with libFuzzer,
        // an ordinary build makes a corpus replayer.
        .executableTarget(
            name: "tmcloud-fuzz", dependencies: ["TMCloudKit", "TMCloudTransport", "TMCloudJSON"],
            swiftSettings: strict),

        // MARK: - Emulated clouds and the simulator
        // Runs a child process with pipes, a deadline and a clean signal mask.
        .target(name: "ProcessRunner", swiftSettings: strict),
        .target(
            name: "CloudEmulators", dependencies: ["TMCloudJSON", "TMCloudTransport", "CEmulatorTLS"],
            exclude: ["README.md"], swiftSettings: strict),
        .target(
            name: "TMCloudSimulator",
            dependencies: ["CloudEmulators", "ProcessRunner", "TMCloudJSON", "TMCloudTransport"],
            swiftSettings: strict),
        .executableTarget(
            name: "tmcloud-sim", dependencies: ["TMCloudSimulator", "CloudEmulators"],
            swiftSettings: strict),

        // MARK: - Tests
        .target(
            name: "TMCloudTestSupport", dependencies: ["ProcessRunner", "CloudEmulators", "TMCloudJSON"],
            swiftSettings: strict),
        .testTarget(
            name: "TMCloudKitTests",
            dependencies: ["TMCloudKit", "TMCloudTransport", "TMCloudJSON", "TMCloudTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "CloudEmulatorsTests",
            dependencies: ["CloudEmulators", "TMCloudJSON", "TMCloudTransport", "TMCloudTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "ProviderTests",
            dependencies: ["TMCloudKit", "CloudEmulators", "TMCloudJSON", "TMCloudTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "DriverProcessTests",
            dependencies: [
                "tmcloud", "TMCloudKit", "TMCloudTransport", "TMCloudTestSupport", "TMCloudJSON", "ProcessRunner",
                "CloudEmulators",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "SimulatorTests",
            dependencies: ["TMCloudSimulator", "CloudEmulators", "tmcloud", "TMCloudTestSupport"],
            swiftSettings: strict),
    ]
)
