/// `tmcloud help`.
enum HelpText {
    static let text = """
        tmcloud \(Driver.version): Cloud API driver for the Traffic Manager autoscaler

        usage: tmcloud ACTION [--key=value ...]      (or --action=ACTION anywhere)

        actions:
          status       [--name=NAME]                 the nodes of this configuration
          listnodes                                  the same, unfiltered
          statusnode   --id=ID | --name=NAME         one node (gone: destroyed)
          createnode   --name=NAME --imageid=IMAGE --sizeid=SIZE
          destroynode  --id=ID | --name=NAME
          check        [--imageid=IMAGE --sizeid=SIZE]  test configuration, credentials, image and size
          help, version

        credentials (every cloud action):
          --cloudcreds=NAME    read $ZEUSHOME/zxtm/conf/cloudcredentials/NAME (cred1, cred2, cred3)
          --cred1=FILE         the configuration file: a bare name in $ZEUSHOME/zxtm/conf/extra/, or an absolute path
          --cred2=SECRET       the password or API token
          --verbose            diagnostics on stderr

        configuration file keys (one "key value" per line):
          every provider: provider (opsource|digitalocean|openstack), apiHost, destroy, timeout,
                          caFile, insecure, logFile
          opsource:       user, orgID, vlanID, serverPassword, description
          digitalocean:   region, tag, sshKeys, vpcUUID, userDataFile, monitoring, ipv6
          openstack:      authURL, username, userDomain, project, projectDomain,
                          applicationCredentialID, region, interface, network, floatingNetwork,
                          keyName, securityGroups, availabilityZone, userDataFile, tag

        On success one JSON line is printed on stdout and the exit status is 0. On failure
        nothing is printed on stdout, one line on stderr, and the exit status is 2 for usage
        and configuration errors, 1 for everything else. See docs/ for each cloud.

        """
}
