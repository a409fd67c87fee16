import TMCloudKit
import Testing

@Suite struct DriverConfigTests {
    func parse(_ text: String) throws(DriverError) -> DriverConfig {
        try DriverConfig.parse(lines: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), path: "/x/pool.cfg")
    }

    /// A file for the original OpSource driver needs no provider line.
    @Test func opsourceByDefault() throws {
        let c = try parse("user bob\napiHost api-eu.dimensiondata.com\norgID abc\ndestroy false\nvlanID v1\n")
        #expect(c.provider == .opsource)
        #expect(c.destroy == false)
        #expect(c.string("orgID") == "abc")
        #expect(try c.endpoint().base == "https://api-eu.dimensiondata.com")
    }

    /// Comments, blank lines, tabs and CRLF-trimmed lines are fine; defaults apply.
    @Test func defaults() throws {
        let c = try parse("# pool\n\nprovider\tdigitalocean\n  region   lon1  \nsshKeys 1, 2 ,,3\n")
        #expect(c.provider == .digitalocean)
        #expect(c.string("region") == "lon1")
        #expect(c.string("tag") == "tmcloud")
        #expect(c.timeout == 30)
        #expect(c.destroy)
        #expect(c.list("sshKeys") == ["1", "2", "3"])
        #expect(try c.endpoint(default: "api.digitalocean.com").base == "https://api.digitalocean.com")
    }

    /// Errors name the file and line, and suggest the nearest key.
    @Test(arguments: [
        ("provider digitalocean\nregoin lon1\n", "/x/pool.cfg:2: unknown key 'regoin' (did you mean 'region'?)"),
        ("provider digitalocean\nregion a\nregion b\n", "/x/pool.cfg:3: 'region' is set twice (first on line 2)"),
        ("provider digitalocean\nregion a\nmonitoring maybe\n", "/x/pool.cfg:3: monitoring must be true or false"),
        ("provider digitalocean\nregion a\ntimeout 0\n", "/x/pool.cfg:3: timeout must be a number of seconds"),
        ("provider digitalocean\nregion a\ntimeout abc\n", "timeout must be a number"),
        ("provider digitalocaen\n", "/x/pool.cfg:1: unknown provider 'digitalocaen' (did you mean 'digitalocean'?)"),
        ("provider digitalocean\n", "/x/pool.cfg: required key 'region' is missing"),
        ("user bob\nvlanID v\n", "required key 'apiHost' is missing"),
        ("user bob\nvlanID v\napiHost ftp://x\n", "/x/pool.cfg:3: apiHost 'ftp://x' is not a host name or URL"),
        ("user bob\nvlanID v\napiHost a b\n", "is not a host name or URL"),
        ("user bob\nvlanID v\napiHost https://u:p@h\n", "credentials do not belong"),
        ("user bob\nvlanID v\napiHost h:99999\n", "bad port"),
        ("user bob\nvlanID v\napiHost h\norgid x\n", "(did you mean 'orgID'?)"),
        ("provider openstack\nauthURL http://k:5000/v3\n", "required key 'username' is missing"),
        ("provider openstack\nauthURL k:5000\nusername u\nproject p\n", "authURL 'k:5000' is not an http(s) URL"),
        ("provider openstack\nauthURL http://k/v3\nusername u\nproject p\ninterface private\n", "interface must be one of"),
    ] as [(String, String)])
    func rejects(_ text: String, _ words: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted")
        } catch {
            #expect(error.exitStatus == 2)
            #expect(error.message.contains(words), "\(error.message)")
        }
    }

    /// URLs keep their port and path, without a trailing slash.
    @Test func endpoints() throws {
        let c = try parse("user u\nvlanID v\napiHost http://127.0.0.1:8080/base/\n")
        let e = try c.endpoint()
        #expect(e.base == "http://127.0.0.1:8080/base")
        #expect(e.port == 8080)
        let v6 = try EndpointURL(parsing: "[::1]:9", requireScheme: false)
        #expect(v6.base == "https://[::1]:9")
    }

    /// Application credentials replace username and project.
    @Test func applicationCredential() throws {
        let c = try parse("provider openstack\nauthURL https://k/v3\napplicationCredentialID abc\n")
        #expect(c.string("interface") == "public")
        #expect(c.string("userDomain") == "Default")
    }
}
