/// `tmcloud-sim help`.
enum HelpText {
    static let text = """
        tmcloud-sim: the Traffic Manager's autoscaler, simulated, driving tmcloud

        usage:
          tmcloud-sim                          run the default scenario (a day on emulated DigitalOcean)
          tmcloud-sim run [--key=value ...]    run a scenario
          tmcloud-sim scenarios                list the built-in scenarios
          tmcloud-sim serve [--port=N] [--seed=N] [--rate-limit=N] [--tls-cert=PEM --tls-key=PEM]
                                               serve the emulated clouds; --seed: N running
                                               nodes in each one's default pool; --rate-limit:
                                               DigitalOcean requests a minute (default 250);
                                               --tls-cert, --tls-key: HTTPS on the same ports
          tmcloud-sim help

        run options:
          --scenario=NAME|FILE.json   built-in scenario, or a scenario file over the default
          --scenario-file=FILE        a scenario file applied over --scenario
          --pool-json=FILE            a pool as the Traffic Manager's REST API returns it
          --min_nodes=N --max_nodes=N --response_time=MS --scale_up_level=PCT
          --scale_down_level=PCT --hysteresis=S --refractory=S --addnode_delaytime=S
          --last_node_idle_time=S --name=PREFIX --imageid=ID --size_id=ID
          --ips_to_use=publicips|private_ips --port=N --update_interval=S
          --cloud_api_timeout=S       pool and Cloud Credentials settings (- or _ both work)
          --measurement_window=S --destroy_order=newest|oldest|pending_first
          --name_suffix=counter|random --missing_grace=S --status_timeout=S
          --repeat_events_every=S --destroy_confirm_time=S
                                      the simulator's own choices (docs/simulator.md)
          --trace=CSV                 load from a time,requests_per_second trace
          --faults=SPEC               e.g. create_fail=0.1,status_hang@2h,vanish@13:00
          --cloud-faults=SPEC         the emulated cloud's faults, e.g. "all * error=0.02 throttle=0.02"
          --capacity=RPS --base-latency=MS --boot-time=S   node model
          --cloud=digitalocean|opsource|openstack
          --duration=S|30m|6h|1d --seed=N --timeline-interval=S
          --out=DIR                   results folder (default ./sim-output)
          --driver=PATH|model         the driver (default: tmcloud next to tmcloud-sim)
          --quiet                     no progress and no report
          --cloudcreds=NAME --zeushome=DIR --i-understand-this-uses-a-real-account
                                      run in real time against a real account
                                      (max_nodes at most 3; every node created is destroyed)
        """
}
