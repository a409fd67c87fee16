// The OpenStack provider's pure parts: the state table, server parsing, error
// messages, URLs and token lifetimes.
import TMCloudJSON
import TMCloudTransport
import Testing

@testable import TMCloudKit

@Suite("OpenStack state table and parsing")
struct OpenStackUnitTests {
    typealias P = OpenStackProvider

    @Test("Nova states map to the contract's")
    func stateTable() {
        func state(_ status: String, _ task: String? = nil, address: Bool = true, fault: String? = nil)
            -> (NodeStatus, CloudNode.Condition)
        {
            let s = P.state(status: status, taskState: task, progress: 0, addressKnown: address, fault: fault)
            return (s.status, s.condition)
        }
        #expect(state("BUILD").0 == .pending)
        #expect(state("ACTIVE") == (.active, .normal))
        #expect(state("ACTIVE", address: false).0 == .pending)
        #expect(state("ACTIVE", "powering-off").0 == .destroyed)
        #expect(state("ACTIVE", "deleting").0 == .destroyed)
        #expect(state("ACTIVE", "image_snapshot").0 == .active)
        #expect(state("SHUTOFF") == (.destroyed, .stopped))
        #expect(state("SHUTOFF", "powering-on").0 == .pending)
        #expect(state("ERROR", fault: "No valid host was found.") == (.destroyed, .failed("No valid host was found.")))
        #expect(state("ERROR").1 == .failed("the server is in ERROR"))
        #expect(state("DELETED") == (.destroyed, .normal))
        #expect(state("SOFT_DELETED").0 == .destroyed)
        #expect(state("REBOOT").0 == .pending)
        #expect(state("SUSPENDED").0 == .destroyed)
        #expect(state("SOMETHING_NEW").0 == .pending)
    }

    @Test("addresses are told apart by OS-EXT-IPS:type, not by range")
    func addresses() throws {
        let json = try JSONDocument.parse(
            """
            {"id":"s1","name":"web1","status":"ACTIVE","OS-EXT-STS:task_state":null,
             "created":"2026-11-23T10:00:00.123Z","image":"","flavor":{"original_name":"m1.small"},
             "metadata":{"tmcloud_tag":"pool","tmcloud_imageid":"ubuntu"},
             "addresses":{"net":[
               {"addr":"fd00::5","version":6,"OS-EXT-IPS:type":"fixed"},
               {"addr":"10.0.0.5","version":4,"OS-EXT-IPS:type":"fixed"},
               {"addr":"192.168.7.9","version":4,"OS-EXT-IPS:type":"floating"}]}}
            """)
        let server = try #require(OpenStackServer(json))
        #expect(server.privateIP == "10.0.0.5")
        #expect(server.publicIP == "192.168.7.9")
        let node = server.node(needsFloatingIP: true)
        #expect(node.record.status == .active)
        #expect(node.record.created == "2026-11-23T10:00:00Z")
        #expect(node.record.imageID == "ubuntu")
        #expect(node.record.sizeID == "m1.small")
    }

    @Test("the driver's metadata: the last scalar of a key counts, escaped keys too")
    func metadata() throws {
        let json = try JSONDocument.parse(
            #"""
            {"id":"s1","metadata":{"tmcloud_tag":"pool","other":"x","tmcloud_tag":null,"tmcloud_s\u0069zeid":"big",
             "tmcloud_imageid":7,"tmcloud_imageid":{"no":1}},"image":{"id":"img"},"flavor":{"id":"2"},
             "addresses":{"a":[{"addr":"10.0.0.5","version":4,"OS-EXT-IPS:type":null},
                               {"addr":"198.51.100.7","version":4},
                               {"addr":"10.0.0.6","version":6,"OS-EXT-IPS:type":"fixed"},
                               {"addr":"10.0.0.7","OS-EXT-IPS:type":"floating"}],
                          "b":{"not":"a list"}, "c":[{"addr":"172.16.0.9","version":4,"OS-EXT-IPS:type":"fixed"}]}}
            """#)
        let server = try #require(OpenStackServer(json))
        #expect(server.tag == "pool")
        let node = server.node(needsFloatingIP: false)
        #expect(node.record.imageID == "7" && node.record.sizeID == "big")
        // A type that is not a string leaves it to the range; version 6 is skipped.
        #expect(server.fixedIPv4 == ["10.0.0.5", "172.16.0.9"] && server.floatingIPv4 == ["198.51.100.7", "10.0.0.7"])
        #expect(node.hint == "198.51.100.7,10.0.0.7")
        let bare = try #require(OpenStackServer(try JSONDocument.parse(#"{"id":"s2","metadata":[]}"#)))
        #expect(bare.tag == nil && bare.status == "UNKNOWN" && bare.node(needsFloatingIP: false).record.imageID == "")
    }

    @Test("a server waiting for its floating IP is pending")
    func waitsForFloatingIP() throws {
        let json = try JSONDocument.parse(
            """
            {"id":"s1","name":"web1","status":"ACTIVE","metadata":{},
             "addresses":{"net":[{"addr":"10.0.0.5","version":4,"OS-EXT-IPS:type":"fixed"}]}}
            """)
        let server = try #require(OpenStackServer(json))
        #expect(server.node(needsFloatingIP: true).record.status == .pending)
        #expect(server.node(needsFloatingIP: false).record.status == .active)
        #expect(OpenStackFloatingIPs.isPending(server))
    }

    @Test("the cloud's message is read from each service's error form")
    func errorMessages() {
        func message(_ body: String, _ status: Int = 400) -> String {
            OpenStackError.message(in: HTTPResponse(status: status, body: Array(body.utf8)))
        }
        let keystone = #"{"error":{"code":401,"message":"Requires authentication.","title":"Unauthorized"}}"#
        #expect(message(keystone) == "Requires authentication.")
        #expect(message(#"{"itemNotFound":{"code":404,"message":"Instance x could not be found."}}"#)
            == "Instance x could not be found.")
        #expect(message(#"{"NeutronError":{"type":"X","message":"Quota exceeded.","detail":""}}"#) == "Quota exceeded.")
        #expect(message("<html>bad gateway</html>") == "")
        let error = OpenStackError.reply(
            HTTPResponse(status: 409, body: Array(#"{"conflictingRequest":{"code":409,"message":"busy"}}"#.utf8)),
            doing: "deleting server x")
        #expect(error.message == "deleting server x: HTTP 409: busy")
        #expect(error.httpStatus == 409)
    }

    @Test("URLs: joins, versions, next-page queries, UUIDs")
    func urls() {
        #expect(OpenStackURL.join("http://h/v2.1/p/", "/servers") == "http://h/v2.1/p/servers")
        #expect(OpenStackURL.versioned("http://h:9696", "/v2.0") == "http://h:9696/v2.0")
        #expect(OpenStackURL.versioned("http://h:9696/v2.0/", "/v2.0") == "http://h:9696/v2.0")
        #expect(OpenStackURL.query(of: "http://other/servers/detail?limit=2&marker=a") == "limit=2&marker=a")
        #expect(OpenStackURL.encode("web net/1") == "web%20net%2F1")
        #expect(OpenStackURL.looksLikeUUID("70a599e0-31e7-49b7-b260-868f441e862b"))
        #expect(!OpenStackURL.looksLikeUUID("ubuntu-22.04"))
    }

    @Test("a token is renewed five minutes before it expires, by Keystone's own clock")
    func tokenLifetime() {
        let now = 2_000_000_000.0
        // Keystone's clock four hours behind this machine's: the lifetime still counts.
        let renew = OpenStackSession.renewAfter(
            issuedAt: "2026-11-23T10:00:00Z", expiresAt: "2026-11-23T11:00:00.000000Z", now: now)
        #expect(renew == now + 3600 - 300)
        #expect(OpenStackSession.renewAfter(issuedAt: nil, expiresAt: nil, now: now) == now)
    }
}

@Suite struct OpenStackAddressTests {
    /// Dotted quads are read strictly; the private ranges are RFC 1918, 6598 and
    /// link-local.
    @Test func addresses() {
        for good in ["10.0.0.5", "0.0.0.0", "255.255.255.255", "192.168.7.9"] {
            #expect(OpenStackServer.isIPv4(good), "\(good)")
        }
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", ".1.2.3", "1.2.3.", "fd00::5", "1.2.3.-4", "a.b.c.d"] {
            #expect(!OpenStackServer.isIPv4(bad), "\(bad)")
        }
        #expect(OpenStackServer.address("172.31.0.1") == 0xAC1F_0001)
        #expect(OpenStackServer.address("010.0.0.255") == 0x0A00_00FF)
        for (address, isPrivate) in [
            ("10.1.2.3", true), ("172.16.0.1", true), ("172.32.0.1", false), ("192.168.1.1", true),
            ("169.254.0.9", true), ("100.64.0.1", true), ("100.128.0.1", false), ("198.51.100.7", false), ("x", false),
        ] {
            #expect(OpenStackServer.isPrivate(address) == isPrivate, "\(address)")
        }
    }
}
